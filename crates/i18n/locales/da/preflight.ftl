# Fund fra tjekket før godkendelse (crates/domain/src/preflight). Værdierne
# er tekst: tal kommer som deres cifre, navne (netværk, links, ord fra
# opslaget eller stilguiden) som de er.

## Tekst og opfølgning
finding-empty = { $network } skal have noget tekst eller et billede eller en video
finding-follow-up-empty = et tomt opslag kan ikke udgives
finding-length-characters = { $network } tillader { $limit } tegn; teksten har { $length }
finding-length-weighted-characters = { $network } tillader { $limit } vægtede tegn; teksten har { $length }
finding-length-graphemes = { $network } tillader { $limit } grafemer; teksten har { $length }
finding-length-description = { $network } tillader { $limit } tegn i en beskrivelse; beskrivelsen har { $length }
finding-length-title = { $network } tillader { $limit } tegn i en titel; titlen har { $length }
finding-length-comment = { $network } tillader { $limit } tegn i en kommentar; kommentaren har { $length }
finding-length-bytes = { $network } tillader { $limit } bytes tekst; teksten fylder { $length } (emoji og mange skriftsystemer fylder flere bytes hver)
finding-too-many-hashtags = { $network } tillader højst { $limit } hashtags; opslaget har { $count }
finding-too-many-mentions = { $network } tillader højst { $limit } @-omtaler; opslaget har { $count }
finding-too-many-topic-tags = { $network } tillader højst { $limit } emnetag; opslaget har { $count }
finding-first-comment-unsupported = { $network } tager ikke imod kommentarer fra apps: den første kommentar bliver ikke udgivet der
finding-thread-unsupported = { $network } har ingen tråde: { $posts } opfølgende opslag bliver ikke udgivet der
finding-too-large = feltet { $field } fylder { $bytes } bytes; tjekket ser højst på { $max }

## Links
finding-links-malformed = `{ $link }` er ikke et gyldigt link
finding-links-unreachable = `{ $link }` svarede ikke: { $reason }
finding-links-post-too-long = opslagets link må højst være { $max } tegn
finding-links-post-not-absolute = opslagets link skal være et fuldt http://- eller https://-link
finding-links-unsafe = `{ $scheme }`-links kører kode eller åbner filer på læserens enhed; de bliver aldrig udgivet

## Medier
finding-media-required = { $network } udgiver kun opslag med et billede eller en video
finding-media-missing = dette element er ikke længere i mediebiblioteket
finding-media-count = { $network } tager højst { $max } elementer i et opslag; opslaget har { $count }
finding-media-videos = { $network } tager højst { $max } video(er) i et opslag; opslaget har { $count }
finding-media-video-alone = på { $network } skal en video være opslagets eneste medie
finding-media-gif-alone = på { $network } skal en GIF være opslagets eneste medie
finding-media-type = { $network } tager ikke imod { $type }, kun { $types }
finding-media-size = { $network } tager filer på op til { $max } MB; filen er på { $size } MB
finding-media-duration = { $network } tager videoer på { $min } til { $max } sek.; videoen varer { $length } sek.
finding-media-aspect-ratio = { $network } tager formater fra { $min } til { $max } (bredde:højde); mediet er { $ratio }
finding-media-pixels = { $network } tager billeder på højst { $max } pixels; billedet er { $width } × { $height }
finding-media-alt-text = beskriv billedet i en alt-tekst for dem, der ikke kan se det
finding-media-alt-text-length-characters = { $network } tager alt-tekst på højst { $max } tegn; alt-teksten har { $length }
finding-media-alt-text-length-graphemes = { $network } tager alt-tekst på højst { $max } grafemer; alt-teksten har { $length }

## Stilguiden
finding-style-banned = »{ $phrase }« må ikke udgives
finding-style-banned-reason = »{ $phrase }« må ikke udgives: { $reason }
finding-style-term = skriv »{ $preferred }«, ikke »{ $written }«
# En mønsterregels besked er arbejdsområdets egne ord.
finding-style-pattern = { $message }
finding-style-emoji = højst { $max } emoji i et opslag; opslaget har { $count }
finding-style-exclamations = højst { $max } udråbstegn i et opslag; opslaget har { $count }
finding-style-all-caps = ord med store bogstaver læses som råb
finding-hashtags-banned = #{ $tag } står på stilguidens liste over hashtags, der ikke må bruges
finding-hashtags-required = dette opslag skal have #{ $tag }
finding-mentions-always-tag = tag { $mention } i opslaget på { $network }
finding-disclosures-required = dette opslag skal indeholde »{ $text }« i selve teksten
