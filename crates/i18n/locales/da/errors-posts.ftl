# Fejl ved opslag, kommentarer, udgivelse, planlægning, medier og forhåndstjek (`err-…`).

## Opslag
err-post-empty = må ikke være tom
err-post-too-long = højst { $max } tegn
err-post-no-campaign = den kampagne findes ikke i dette arbejdsområde
err-post-no-label = den etiket findes ikke i dette arbejdsområde
err-post-no-channel = den kanal findes ikke i dette arbejdsområde
err-post-media-elsewhere = henviser til medier, der ikke er i dette arbejdsområdes bibliotek
err-post-required = skal udfyldes
err-post-not-a-state = ikke en gyldig status for et opslag
err-post-no-reschedule = et opslag, der er { $state }, kan ikke længere flyttes til et nyt tidspunkt
err-post-schedule-unplanned = vælg, hvornår det skal ud, før du planlægger det
err-post-no-workflow = ingen arbejdsgang passer: gør en til standard, eller tilføj en fordelingsregel

## Kommentarer
err-comment-role-cannot = en { $role } kan ikke kommentere opslag
err-comment-many-mentions = højst { $max } medlemmer
err-comment-not-member = { $user } er ikke medlem af dette arbejdsområde
err-comment-no-revision = den version af opslaget findes ikke
err-comment-not-image = er ikke et billede: kun billeder har områder
err-comment-no-parent = den kommentar findes ikke på dette opslag
err-comment-parent-is-reply = er selv et svar: tråde har kun ét niveau, så svar på trådens første kommentar
err-comment-visitor-internal = en besøgendes kommentarer er synlige for eksterne
err-comment-visitor-mentions = en besøgende kan ikke nævne medlemmer
err-comment-reply-anchor = et svar har sin tråds forankring: udelad anchor
err-comment-internal-thread = tråden er intern, så det er dens svar også
err-comment-revision-from-1 = versioner nummereres fra 1
err-comment-resolve-reply = denne kommentar er et svar: en hel tråd løses via dens første kommentar
err-comment-reopen-reply = denne kommentar er et svar: en hel tråd genåbnes via dens første kommentar
err-comment-already-resolved = tråden er allerede løst
err-comment-not-resolved = tråden er ikke løst
err-comment-author-only = kun forfatteren kan redigere en kommentar

## Udgivelse
err-pub-needs-receiver-url = en { $network }-kanal skal have URL'en til sin modtager
err-pub-needs-instance = en { $network }-kanal skal have adressen på sin instans
err-pub-needs-token = en { $network }-kanal skal have et adgangstoken
err-pub-needs-pds = en { $network }-kanal skal have adressen på sin PDS (https://bsky.social)
err-pub-needs-handle = en { $network }-kanal skal have sit brugernavn
err-pub-needs-app-password = en { $network }-kanal skal have en app-adgangskode
err-pub-mastodon-only = kun en Mastodon-kanal har synlighed og indholdsadvarsel
err-pub-not-url = ikke en URL
err-pub-visibility = public (offentlig), unlisted (ikke listet) eller private (kun følgere)
err-pub-unsupported-network = Greenlight kan endnu ikke udgive på { $network }: tilknyt i stedet en webhook-kanal
err-pub-no-connector = ingen forbindelse til { $network }
err-pub-not-approved = kun et godkendt opslag udgives
err-pub-state-cannot-publish = et opslag, der er { $state }, kan ikke udgives nu
err-pub-nothing-to-retry = intet at prøve igen: opslaget har ingen udgivelse på denne kanal
err-pub-retry-only-failed = kun en mislykket udgivelse prøves igen; denne er { $status }
err-pub-live-url = angiv webadressen på det offentliggjorte opslag (http eller https)
err-pub-future = et opslag kan ikke være gået ud i fremtiden
err-pub-schedule-first = planlæg opslaget først: det har ingen udgivelse på denne kanal
err-pub-by-hand-status = kun en planlagt eller mislykket udgivelse kan markeres som udgivet manuelt; denne er { $status }

## Planlægning
err-plan-channel-exists = der findes allerede en kanal med dette netværk og brugernavn
err-plan-campaign-exists = der findes allerede en kampagne med dette navn
err-plan-label-exists = der findes allerede en etiket med dette navn
err-plan-network-one-of = en af { $networks }
err-plan-chars-range = 1 til { $max } tegn
err-plan-text-limit-mastodon = kun en Mastodon-server har sin egen tegngrænse
err-plan-channels-first = vælg først opslagets kanaler: køen er pr. kanal
err-plan-no-slots = kanalerne har ingen opslagstidspunkter: indstil dem under Indstillinger → Kanaler
err-plan-slots-taken = alle kanalernes opslagstidspunkter er optaget de næste { $days } dage
err-plan-ends-before-start = slutter, før den begynder
err-plan-label-kind = label (etiket) eller pillar (indholdssøjle)
err-plan-note-range = et interval på højst { $max } dage efter startdatoen
err-plan-role-cannot-remove-note = en { $role } kan ikke fjerne en andens note

## Medier
err-media-empty = filen er tom
err-media-unreadable = billedet kan ikke læses: { $why }

## Forhåndstjek
err-preflight-no-channels = angiv mindst én kanal
err-preflight-many-channels = højst { $max } kanaler
err-preflight-role-cannot-override = en { $role } kan ikke tilsidesætte forhåndstjekkets fund
