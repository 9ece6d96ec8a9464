# Opslagssiden og editoren, forhåndsvisningen og forhåndstjekket,
# mediebiblioteket, kalenderen og søgningen.

## Opslagssiden
post-new = Nyt opslag
post-not-saved = Ikke gemt endnu
post-not-planned = ikke planlagt endnu
post-resubmit = Send til gennemgang igen
post-owner-planned = Ejer: { $owner } · Planlagt: { $planned }
post-review = Gennemgang
post-history = Historik
post-publishing = Udgivelse
post-pub-published = udgivet
post-pub-live = det udgivne opslag
post-pub-failed = mislykkedes
post-pub-retry = Prøv igen
post-pub-last-try = (sidste forsøg: { $error })
post-pub-by-hand = Udgivet manuelt?
post-pub-by-hand-url = Adressen på det udgivne opslag
post-pub-mark = Markér som udgivet
post-pub-status-scheduled = planlagt
post-pub-status-publishing = udgives
post-pub-status-published = udgivet
post-pub-status-failed = mislykkedes
post-pub-status-unknown = ukendt
post-pub-status-cancelled = annulleret
post-publish-now = Udgiv nu
post-legend-post = Opslaget
post-title = Titel
post-brief = Oplæg
post-channels = Kanaler
post-no-channels = Ingen kanaler endnu: en administrator tilføjer dem under Indstillinger.
post-content = Indhold
post-text = Tekst (alle kanaler, medmindre fanen siger andet)
post-text-per-channel = Tekst pr. kanal
post-variant-text = Tekst på { $channel } (tom: teksten ovenfor)
post-link = Linkadresse
post-thread-and-comment = Tråd og første kommentar
post-first-comment = Første kommentar
post-thread = Tråd: de efterfølgende opslag, adskilt af en linje med ---
post-plan = Planlægning
post-planned-day = Planlagt dag
post-time = Klokkeslæt
post-zone = Tidszone
post-campaign = Kampagne
post-campaign-none = Ingen
post-labels = Etiketter
post-no-labels = Ingen etiketter endnu.
post-repurposed = Genbrugt indhold (nogle arbejdsgange springer tidlige trin over for det)
post-save = Gem
post-create = Opret opslaget
post-submit = Send til gennemgang
post-path-intro = Det skal igennem
post-blocked = Forhåndstjekket fandt fejl i den gemte version; ret dem (hver kanals forhåndsvisning viser dem), gem, og send det så:
post-override = Send trods fejl i forhåndstjekket, fordi … (ejere og administratorer; bliver registreret)
post-approved = Godkendt
post-schedule-for = Planlæg til { $when }
post-queue = Kø
post-queue-help = Planlægger det til kanalernes næste opslagstidspunkt, som intet andet opslag har taget (indstil tidspunkterne under Indstillinger → Kanaler).
post-queue-add = Sæt i kø
post-scheduled-for = Planlagt til { $when }
post-unschedule = Fjern fra planen
post-share = Del til gennemgang
post-share-may = Modtageren må
post-share-view = se det
post-share-comment = se og kommentere
post-share-days = Antal dage
post-share-name = Modtagerens navn
post-share-make = Lav et link
post-side = Tilbagemeldinger og forhåndsvisning
post-feedback = Tilbagemeldinger
post-open-comments = Åbne kommentarer ({ $count })
post-resolve = Markér som løst
post-review-reply = Gennemgangen, hvis du vil svare →
post-choose-channel = Vælg en kanal for at se, hvordan hvert netværk viser opslaget.

## Den vej, opslaget skal igennem
post-path-a-member = et medlem
post-path-needed = ({ $count } af dem)
post-path-nobody = ingen endnu
post-skipped-here = springes over for dette opslag
post-skipped-always = springes altid over
post-skipped-because = springes over, fordi { $reasons }
post-skip-and = og
post-skip-or = eller
post-skip-shares-link = opslaget deler et link
post-skip-shares-no-link = opslaget ikke deler et link
post-skip-reused = det er genbrugt indhold
post-skip-new = det er nyt indhold
post-skip-a-label = en etiket
post-skip-label = det har etiketten { $names }
post-skip-a-channel = en kanal
post-skip-channel = det skal ud på { $names }
post-skip-a-campaign = en kampagne
post-skip-campaign = det er med i kampagnen { $names }
post-skip-role = { $role ->
    [owner] en ejer
    [admin] en administrator
    [manager] en leder
    [creator] en indholdsskaber
    [reviewer] en godkender
    [viewer] en læser
   *[other] en { $role }
}
post-skip-author = forfatteren er { $roles }
post-skip-group = forfatteren er med i en gruppe, som arbejdsgangen nævner
post-skip-keyword = »{ $word }«
post-skip-mentions = det nævner { $words }

## Tilbagemeldinger
post-feedback-changes = { $who } bad om ændringer til version { $number }, { $when }
post-feedback-rejected = { $who } afviste version { $number }, { $when }
post-feedback-approved = { $who } godkendte version { $number }, { $when }

## Beskeder
post-done-created = Opslaget er oprettet. Tilføj det, der mangler, og send det så til gennemgang.
post-done-scheduled = Planlagt: det udgives på det planlagte tidspunkt.
post-done-unscheduled = Fjernet fra planen: det er stadig godkendt.
post-done-resolved = Kommentaren er markeret som løst.
post-done-publishing = Sender det nu; resultatet for hver kanal vises her.
post-done-retrying = Prøver den kanal igen.
post-done-marked = Markeret som udgivet manuelt.
post-saved-revision = Gemt som version { $number }.
post-saved-details = Opslagets detaljer er gemt; indholdet er uændret.
post-saved-nothing = Intet blev ændret.
post-saved-back-in-review = Indholdet er ændret efter godkendelsen, så det er tilbage i gennemgang.
post-not-submitted = Ikke sendt: forhåndstjekket fandt fejl. Hver kanals forhåndsvisning viser sine egne; ret dem, og gem først.
post-share-done-comment = Linket (vises kun denne ene gang; alle med linket kan se og kommentere):
post-share-done-view = Linket (vises kun denne ene gang; alle med linket kan se opslaget):
post-queued = Sat i kø: det er planlagt til { $when }.

## Medier
media-summary-count = Medier:
media-summary-chosen = valgt · vælg fra biblioteket, eller upload
media-upload-label = Upload et billede eller en video (det kommer i biblioteket og vælges til dette opslag)
media-upload = Upload fil
media-library-empty = Biblioteket er tomt: upload en fil.
media-use = Brug { $file }
media-alt = Alt-tekst
media-alt-required = (påkrævet)
media-stale-form = formularen var ældre end din session; genindlæs siden
media-choose-file = vælg en fil, der skal uploades

## Forhåndsvisning og forhåndstjek
preview-title = Forhåndsvisning
preview-errors-block = fejl (forhindrer indsendelse)
preview-warnings-shown = { $count ->
    [one] advarsel
   *[other] advarsler
} (vises for godkenderne)
preview-on = Forhåndsvisning på
preview-tab-errors = { $count } fejl
preview-card-label = Forhåndsvisning på { $network } { $handle }
preview-sev-error = fejl
preview-sev-warning = advarsel
preview-thread = Tråden
preview-first-comment = Første kommentar:
preview-count-as = tegn, sådan som { $network } tæller dem
preview-suggestion = forslag:
preview-nothing = Forhåndstjekket fandt intet her.
preview-no-alt = Ingen alt-tekst
preview-no-limit = ingen grænse
preview-field-text = teksten
preview-field-title = titlen
preview-field-first-comment = første kommentar
preview-field-link = linket
preview-field-thread = opslag { $number } i tråden
preview-field-media = medie { $number }
preview-actions-x = Svar · Del igen · Synes godt om · Bogmærke
preview-actions-bluesky = Svar · Del igen · Synes godt om
preview-actions-mastodon = Svar · Boost · Favorit · Bogmærke
preview-actions-linkedin = Synes godt om · Kommentér · Del igen · Send
preview-actions-instagram = Synes godt om · Kommentér · Del · Gem
preview-actions-threads = Synes godt om · Svar · Del igen · Del
preview-actions-facebook = Synes godt om · Kommentér · Del
preview-actions-pinterest = Gem · Del
preview-blocking = { $channel }: { $count } fejl

## Kalenderen
cal-title = Kalender
cal-mon = man.
cal-tue = tirs.
cal-wed = ons.
cal-thu = tors.
cal-fri = fre.
cal-sat = lør.
cal-sun = søn.
cal-week-of = Ugen fra { $date }
cal-not-a-day = Det er ikke en dag i kalenderen: { $why }.
cal-moved = »{ $title }« er flyttet til { $when }.
cal-moved-kept = Godkendelserne bevares: kun tidspunktet er ændret.
cal-move-title = Flyt til en anden dag
cal-move-day = Dag
cal-hour = Time
cal-move-kept = Godkendelser bevares: kun tidspunktet ændres.
cal-move = Flyt
cal-cancel = Annuller
cal-view = Kalendervisning
cal-month = Måned
cal-week = Uge
cal-list = Liste
cal-move-in-time = Skift periode
cal-earlier = ← Tidligere
cal-today = I dag
cal-later = Senere →
cal-times-in = Tidspunkter i { $zone }
cal-hint-drag = træk et opslag til en anden dag for at flytte det
cal-hint-drag-week = træk et opslag til en anden dag eller time for at flytte det
cal-hint-touch = åbn et opslag for at ændre dag og tidspunkt
cal-hint-kept = godkendelser bevares, når kun tidspunktet ændres
cal-filters = Filtre
cal-filters-on = { $count ->
    [one] Filtre ({ $count } aktivt)
   *[other] Filtre ({ $count } aktive)
}
cal-channel = Kanal
cal-campaign = Kampagne
cal-label = Etiket
cal-state = Status
cal-owner = Ejer
cal-all = Alle
cal-anyone = Alle
cal-filter = Filtrér
cal-today-lower = i dag
cal-no-posts-planned = ingen opslag planlagt
cal-no-posts = Ingen opslag
cal-new-post-on = Nyt opslag { $day }
cal-new-post-this-day = Nyt opslag på denne dag
cal-more = { $count } mere
cal-nothing-planned = Der er intet planlagt i denne måned.
cal-note-day = Dag for notatet
cal-note = Notat
cal-note-placeholder = Hjertemåneden starter
cal-note-add = Tilføj notat
cal-card-move = Flyt…
cal-card-move-label = Flyt »{ $title }« til en anden dag eller time

## Søgning
search-title = Søg
search-title-q = Søg: { $q }
search-label = Ord, en titel, en kampagne eller en etiket
search-button = Søg
search-none = Intet opslag indeholder »{ $q }«.
search-newest = De { $count } nyeste opslag, der indeholder »{ $q }«.
search-found = { $count } opslag indeholder »{ $q }«.
search-not-planned = ikke planlagt endnu
search-found-in-title = fundet i titlen
search-found-in-text = fundet i teksten
search-found-in-brief = fundet i oplægget
search-found-in-campaign = fundet i kampagnen
search-found-in-label = fundet i etiketten
search-found-in-other = fundet i { $place }
post-share-approve = godkende eller bede om ændringer
post-share-email = Deres e-mail (til et godkendelseslink)
post-share-email-help = Et godkendelseslink sendes til dem på e-mail, og opslagets godkendelse spørger dem også i sit sidste trin: ingen arbejdsgang skal ændres.
post-share-done-approve-at = Godkendelseslinket sendes til { $email }; opslagets godkendelse spørger dem også i trinnet { $stage }.
post-share-done-approve = Godkendelseslinket sendes til { $email }.
post-share-no-mail-server = Der er ingen mailserver sat op, så intet blev sendt: en ejer eller administrator udsteder linket igen under Indstillinger → Delingslinks for at give det videre.
