## Arbejdsgange: listen, fordelingsregler, en arbejdsgangs side, editoren, simuleringen.

wf-title = Arbejdsgange
wf-version = version nr. { $version }
wf-name = Navn
wf-save-next-version = Gem som næste version
wf-cancel = Annuller
wf-edit-workflow = Rediger arbejdsgangen
wf-labels = Etiketter
wf-reused-content = Genbrugt indhold

## Listen (workflows.html)
wf-list-empty = Ingen arbejdsgang endnu: start fra en skabelon herunder. Opslag skal have én for at kunne gennemgås.
wf-list-default = standard
wf-list-start-from-template = Start fra en skabelon
wf-list-template = Skabelon
wf-list-default-for-unrouted = Standard for opslag, som ingen regel fordeler
wf-list-create = Opret arbejdsgangen
wf-routes-heading = Fordelingsregler
wf-routes-intro = Den første regel (laveste prioritetsnummer), hvis betingelse et opslag opfylder, vælger dets arbejdsgang; opslag, som ingen regel passer på, får standarden. Alle udfyldte dele af en betingelse skal passe; en liste passer, når et af dens punkter gør.
wf-routes-new-rule = En ny regel
wf-routes-rule = Regel { $number }
wf-routes-priority = Prioritet
wf-routes-workflow = Arbejdsgang
wf-routes-no-new-rule = (ingen ny regel)
wf-routes-remove-rule = (fjern denne regel)
wf-routes-save = Gem reglerne
wf-routes-saved = Fordelingsreglerne er gemt.
wf-routes-whole-number = et helt tal
wf-routes-not-a-workflow = ikke en af arbejdsgangene

## De indbyggede skabeloner
wf-template-hospital-name = Hospital: idé, tekst, grafik, kvalitetstjek
wf-template-hospital-description = Idéen godkendes af en leder, derefter godkendes tekst og grafik, og til sidst kvalitetstjekker en af de frivillige QA-folk med en tjekliste; indholdsskaberen planlægger. Genbrugte opslag og delte links springer de første tre trin over.
wf-template-agency-marketing-name = Bureau, marketing: tekstforfatter, kundeansvarlig, kunde, social media manager
wf-template-agency-marketing-description = Godkendelse i rækkefølge; kundens kontaktperson kan inddrage en afdelingsleder, som automatisk bliver spurgt, hvis kunden ikke har svaret inden for to dage.
wf-template-agency-recruitment-name = Bureau, rekruttering: tekstforfatter, kundeansvarlig med rekrutteringsansvarlig, kunde, social media manager
wf-template-agency-recruitment-description = Som marketingforløbet, men hvor den rekrutteringsansvarlige tjekker hvert jobopslag sideløbende med den kundeansvarlige.
wf-template-cross-department-name = På tværs af afdelinger: marketing, PR og jura sideløbende
wf-template-cross-department-description = Ét trin med tre spor; opslaget er godkendt, når hver afdeling har godkendt det.
wf-template-routine-name = Rutine: én let gennemgang
wf-template-routine-description = En vilkårlig korrekturlæser godkender. Send hverdagsopslag hertil.
wf-template-high-stakes-name = Meget på spil: leder, derefter jura og ledelse
wf-template-high-stakes-description = En leder godkender, derefter skal både jura og en administrator godkende. Send følsomme opslag, lanceringer og opslag om trends hertil.

## Betingelsesfelter (condition_fields.html)
wf-cond-channels = Kanaler
wf-cond-campaigns = Kampagner
wf-cond-author-role = Forfatterens rolle
wf-cond-author-group = Forfatterens gruppe
wf-cond-keywords = Ord eller vendinger i teksten
wf-cond-separate-commas = (adskil med kommaer)
wf-cond-either = Uanset
wf-cond-yes = Ja
wf-cond-no = Nej
wf-cond-shares-link = Deler et link

## En arbejdsgangs side (workflow.html)
wf-page-all-workflows = ← Alle arbejdsgange
wf-page-stages = Trin
wf-page-file-heading = Rediger som fil
wf-page-file-intro = Hele arbejdsgangen som fil (det samme som formularen, til versionsstyring eller flytning mellem arbejdsområder): trin, spor, godkendere (personer efter e-mail, grupper efter navn), regler, tjeklister, frister, påmindelser, eskalering og betingelser for at springe over. Når du gemmer, bliver det den næste version; igangværende gennemgange beholder deres.
wf-page-file-label = Arbejdsgangsfil (TOML)
wf-page-simulator = Simulering
wf-page-simulator-intro = Hvilken vej ville et opslag tage, og hvem ville blive spurgt?
wf-page-text = Tekst
wf-page-simulate = Simuler
wf-saved-version = Gemt som version { $version }.

## En arbejdsgang læst som sætninger
wf-former-member = et tidligere medlem
wf-removed-group = en fjernet gruppe
wf-read-anyone-in = alle i { $group }
wf-read-any-role = alle med rollen { $role }
wf-read-outside = { $email } (ekstern, via link)
wf-read-rule-any = én af
wf-read-rule-all = hver af
wf-read-rule-at-least = { $count } af
wf-read-lane = { $lane }: { $rule } { $who }
wf-read-item-by-preflight = { $item } (af forhåndstjek)
wf-read-checklist = Tjekliste: { $items }
wf-read-due-after = { $hours ->
    [one] Frist { $hours } time efter trinnets start
   *[other] Frist { $hours } timer efter trinnets start
}
wf-read-due-before = { $hours ->
    [one] Frist { $hours } time før det planlagte tidspunkt
   *[other] Frist { $hours } timer før det planlagte tidspunkt
}
wf-read-escalation = { $hours ->
    [one] Efter { $hours } time spørges også { $who }
   *[other] Efter { $hours } timer spørges også { $who }
}
wf-read-skipped = { $count ->
    [one] Springes over, når betingelsen passer
   *[other] Springes over, når én af { $count } betingelser passer
}
wf-read-approvers-may-edit = Godkenderne må redigere indholdet

## Simuleringens svar
wf-sim-routed = Sendes til { $workflow }
wf-sim-skipped = { $stage }: springes over
wf-sim-lane-asks = { $lane } spørger { $who }

## Roller, som valgene og sætningerne nævner dem
wf-role-name = { $role ->
    [owner] ejer
    [admin] administrator
    [manager] leder
    [creator] indholdsskaber
    [reviewer] korrekturlæser
    [viewer] læser
   *[other] { $role }
}

## Editoren (workflow_edit.html)
wf-edit-title = Rediger { $name }
wf-edit-forbidden = administration af arbejdsgange
wf-edit-not-saved-yet = Ikke gemt endnu.
wf-edit-stale = Nogen gemte version { $current }, mens du redigerede; dine ændringer står herunder, men er ikke gemt. Åbn arbejdsgangen igen for at starte fra deres.
wf-edit-not-saved-see-fields = Ikke gemt: se de markerede felter herunder.
wf-edit-from-version = fra version { $version }
wf-edit-intro = Igangværende gennemgange beholder den version, de startede med. Knapperne, der tilføjer, fjerner eller flytter en del, beholder alt, hvad du har skrevet; intet gemmes, før du gemmer.
wf-edit-the-workflow = Arbejdsgangen
wf-edit-allow-self-approval = Et opslags ejer må selv godkende det
wf-edit-one-approval-covers = Én godkendelse dækker de efterfølgende trin, når den samme person bliver spurgt der, og vedkommendes godkendelse alene gør dem færdige
wf-edit-policy = Når det planlagte tidspunkt kommer før den endelige godkendelse
wf-edit-policy-hold = Vent fortsat, og giv teamet besked
wf-edit-policy-fail = Afslut gennemgangen (tilbage til udkast)
wf-edit-policy-grace = Udgiv ved godkendelse inden for en ekstra frist
wf-edit-grace = Ekstra frist (minutter)
wf-edit-stages-intro = Trinene kører fra venstre mod højre; et trins spor kører side om side, og trinnet er færdigt, når alle dets spor er.
wf-edit-stage = Trin { $number }
wf-edit-stage-named = Trin { $number }: { $name }
wf-edit-move-earlier-label = Flyt trin { $number } tidligere
wf-edit-move-earlier = Flyt tidligere
wf-edit-move-later-label = Flyt trin { $number } senere
wf-edit-move-later = Flyt senere
wf-edit-remove-stage-label = Fjern trin { $number }
wf-edit-remove-stage = Fjern trinnet
wf-edit-key = Nøgle
wf-edit-key-hint = (laves ud fra navnet, hvis den er tom; beslutninger henviser til den)
wf-edit-lanes = Spor
wf-edit-lane = Spor { $number }
wf-edit-lane-named = Spor { $number }: { $name }
wf-edit-who-may-answer = Hvem må svare
wf-edit-choose-several = (vælg flere med Ctrl eller ⌘)
wf-edit-outside = Eksterne personer, via e-mail
wf-edit-outside-hint = (spørges via et gennemgangslink; adskil med kommaer)
wf-edit-how-many = Hvor mange skal godkende
wf-edit-rule-any = Én af dem
wf-edit-rule-all = Alle sammen
wf-edit-rule-at-least = Mindst…
wf-edit-at-least-number = Mindst (et tal)
wf-edit-remove-lane = Fjern spor { $number }
wf-edit-add-lane = Tilføj et spor
wf-edit-checklist = Tjekliste
wf-edit-checklist-count = Tjekliste ({ $count })
wf-edit-no-checklist = Ingen tjekliste.
wf-edit-item = Punkt { $number }
wf-edit-ticked = Afkrydsning
wf-edit-required = Påkrævet for godkendelse
wf-edit-remove-item = Fjern punkt { $number }
wf-edit-add-item = Tilføj et punkt til tjeklisten
wf-edit-due-section = Frist, påmindelser og eskalering
wf-edit-due = Frist
wf-edit-due-none = Ingen frist
wf-edit-due-after = Timer efter trinnet starter
wf-edit-due-before = Timer før det planlagte tidspunkt
wf-edit-hours = Timer
wf-edit-reminders = Påmindelser ved (% af tiden til fristen)
wf-edit-escalate-after = Eskaler efter (timer)
wf-edit-also-asking = …og spørg også
wf-edit-skip-section = Spring dette trin over, når
wf-edit-skip-section-count = Spring dette trin over, når ({ $count })
wf-edit-never-skipped = Springes aldrig over.
wf-edit-condition = Betingelse { $number }
wf-edit-condition-hint = (alle udfyldte dele skal passe; en liste passer, når et af dens punkter gør)
wf-edit-remove-condition = Fjern betingelse { $number }
wf-edit-add-skip = Tilføj en betingelse for at springe over
wf-edit-editing-section = Redigering af godkendere
wf-edit-approvers-may-edit = Dette trins godkendere må redigere indholdet
wf-edit-own-edits-keep-stage = Deres egne redigeringer sender ikke trinnet tilbage
wf-edit-add-stage = Tilføj et trin

## Editorens valg
wf-edit-anyone-in = Alle i { $group }
wf-edit-any-role = Alle med rollen { $role }
wf-edit-no-longer-here = { $value } (ikke længere i dette arbejdsområde)
wf-edit-ticked-by-reviewer = Afkrydses af godkenderen
wf-edit-by-preflight = Af forhåndstjek: { $check }
wf-check-text = Tekstlængde og indhold
wf-check-media = Mediegrænser
wf-check-alt-text = Alt-tekst på alle billeder
wf-check-links = Links er sikre og kan nås
wf-check-hashtags = Hashtags
wf-check-mentions = Omtaler og konti, der skal tagges
wf-check-style = Stilguiden
wf-check-disclosures = Påkrævede oplysninger
wf-check-follow-ups = Tråd og første kommentar

## Editorens afvisninger, ved deres felter
wf-error-hours = et antal timer, mere end 0 og højst et år
wf-error-not-a-choice = `{ $value }` er ikke et af valgene
wf-error-not-an-email = `{ $value }` er ikke en e-mailadresse
wf-error-how-many = hvor mange der skal godkende, som et helt tal
wf-error-no-check = intet tjek ved navn `{ $value }`
wf-error-not-a-percentage = `{ $value }` er ikke en procentsats
wf-error-grace-minutes = et helt antal minutter

## Revisionsrapporten (audit.html)
audit-title = Revisionsrapport
audit-back-to-history = ← Historik
audit-intro = En eksport indeholder en periodes hændelser, loggens signerede kontrolpunkter og teksten i hver version, der blev godkendt i perioden, signeret med denne instans' revisionsnøgle. Verificeringen tjekker alt dette, og at loggen stadig indeholder det i dag.
audit-export-heading = Eksporter en periode
audit-from = Fra
audit-to = Til (inklusive)
audit-empty-period = Tom: de seneste 30 dage.
audit-download = Hent den signerede eksport
audit-verify-heading = Verificer en eksport
audit-file = Eksportfil
audit-verify = Verificer
audit-verifies = ✓ Eksporten er gyldig
audit-does-not-verify = ✗ Eksporten er ikke gyldig
audit-check = Tjek
audit-result = Resultat
audit-detail = Detaljer
audit-holds = ✓ holder
audit-fails = ✗ fejler
audit-approved-revisions = Godkendte versioner
audit-revision = Version { $number }
audit-choose-file = vælg en eksportfil
audit-not-an-export = ikke en revisionseksport fra Greenlight
audit-summary = { $workspace }: hændelser fra { $from } til { $to }, eksporteret { $exported } — { $events }, { $revisions }.
audit-summary-events = { $count ->
    [one] { $count } hændelse
   *[other] { $count } hændelser
}
audit-summary-revisions = { $count ->
    [one] { $count } godkendt version
   *[other] { $count } godkendte versioner
}

## Historik (history.html og dens sætninger)
history-title = Historik
history-title-post = Historik for { $title }
history-heading-post = Historik for “{ $title }”
history-heading-workspace = Historik for { $workspace }
history-back = ← Tilbage
history-audit-note = Alle ændringer står i revisionsloggen, hash-kædet, så manipulation kan ses.
history-audit-link = Revisionsrapport: eksporter og verificer
history-nothing-yet = Intet endnu.
history-latest-events = ← De seneste hændelser
history-later-events = Senere hændelser →
history-older-events = Ældre hændelser →

# Hvem gjorde det: sætningens grundled.
history-actor-former-member = Et tidligere medlem
history-actor-token = { $name } (API-token)
history-actor-external = { $name } (via et delingslink)
history-actor-cli = En administrator
history-former-member = et tidligere medlem
history-revision = version { $number }
history-a-revision = en version
# Et opslags status.
history-state = { $state ->
    [draft] udkast
    [in_review] i gennemgang
    [changes_requested] ændringer ønsket
    [rejected] afvist
    [approved] godkendt
    [scheduled] planlagt
    [publishing] udgives
    [published] udgivet
    [failed] fejlet
   *[other] { $label }
}
# En rolle efter "som" eller "gjorde … til": uden kendeord på dansk.
history-role-with-article = { $role ->
    [owner] ejer
    [admin] administrator
    [manager] leder
    [creator] indholdsskaber
    [reviewer] korrekturlæser
    [viewer] læser
   *[other] { $role }
}
history-a-channel = en kanal
history-unknown-network = en
history-after-attempts = efter { $count } forsøg

history-post-created = { $who } oprettede opslaget “{ $title }”
history-revision-saved = { $who } gemte { $revision }
history-post-updated = { $who } ændrede opslagets detaljer
history-post-state-changed = { $who } ændrede opslagets status: { $from } → { $to }
history-review-started = { $who } sendte { $revision } til gennemgang
history-review-resubmitted = { $who } sendte det til gennemgang igen
history-review-approved = { $who } godkendte { $revision } på trinnet { $stage }
history-review-changes-requested = { $who } anmodede om ændringer til { $revision } på trinnet { $stage }
history-review-rejected = { $who } afviste { $revision } på trinnet { $stage }
history-review-decided = { $who } { $verdict } { $revision } på trinnet { $stage }
history-review-overridden = { $who } godkendte trinnet { $stage } direkte: “{ $reason }”
history-review-withdrawn = { $who } trak det tilbage fra gennemgang
history-review-reminder = { $who } sendte en påmindelse til godkenderne på trinnet { $stage }
history-review-seen = { $who } åbnede det på trinnet { $stage }
history-review-escalated = { $who } eskalerede trinnet { $stage }
history-review-publish-time-passed = Det planlagte tidspunkt passerede før godkendelsen ({ $who })
history-comment-added = { $who } kommenterede: “{ $body }”
history-comment-edited = { $who } redigerede en kommentar
history-share-link-created = { $who } delte det via et link
history-share-link-visited = { $who } åbnede et delingslink
history-style-guide-updated = { $who } ændrede stilguiden
history-note-added = { $who } skrev en note til { $day }: “{ $body }”
history-publish-now = { $who } udgav det med det samme
history-published = { $who } udgav det på { $to } kl. { $time }{ $tries }{ $url }
history-publish-failed = Udgivelse på { $to } mislykkedes kl. { $time }{ $tries }: { $error }
history-publication-retried = { $who } prøvede at udgive det igen
history-channel-connected = { $who } forbandt en kanal som { $target }
history-channel-disconnected = { $who } afbrød forbindelsen til en kanal
history-channel-reconnect-needed = En kanal skal forbindes igen: { $detail }
history-member-added = { $who } tilføjede { $person } som { $role }
history-member-role-changed = { $who } gjorde { $person } til { $role } (var { $from })
history-member-removed = { $who } fjernede { $person } fra arbejdsområdet
history-group-created = { $who } oprettede gruppen “{ $name }”
history-group-member-added = { $who } tilføjede { $person } til en gruppe
history-group-member-removed = { $who } tog { $person } ud af en gruppe
history-group-deleted = { $who } slettede en gruppe
history-channel-created = { $who } tilføjede kanalen { $network } { $handle }
history-channel-slots-changed = { $who } ændrede en kanals udgivelsestidspunkter
history-campaign-created = { $who } oprettede kampagnen “{ $name }”
history-label-created = { $who } oprettede etiketten “{ $name }”
history-workflow-created = { $who } oprettede arbejdsgangen “{ $name }”
history-workflow-changed = { $who } ændrede arbejdsgangen “{ $name }” (version { $version })
history-workflow-routes-set = { $who } ændrede, hvilken arbejdsgang hvert opslag går igennem
history-workspace-created = { $who } oprettede arbejdsområdet “{ $name }”
history-workspace-updated = { $who } ændrede arbejdsområdets indstillinger (“{ $name }”, { $zone })
history-media-uploaded = { $who } uploadede { $filename }
history-token-created = { $who } oprettede API-tokenet “{ $name }” ({ $role })
history-token-revoked = { $who } tilbagekaldte et API-token
history-webhook-created = { $who } tilføjede webhooket “{ $name }” til { $host }
history-webhook-deleted = { $who } slettede et webhook
history-webhook-paused = { $who } satte et webhook på pause
history-webhook-resumed = { $who } genoptog et webhook
history-webhook-redelivered = { $who } sendte en webhook-levering igen
history-delegation-created = { $who } lod { $delegate } vikariere for { $from }
history-delegation-ended = { $who } afsluttede et vikariat
history-comment-resolved = { $who } markerede en kommentar som løst
history-comment-reopened = { $who } genåbnede en kommentar
history-share-link-revoked = { $who } tilbagekaldte et delingslink
history-share-link-renewed = { $who } forlængede et delingslink
history-share-link-reissued = { $who } lavede et delingslink på ny
history-share-link-sent = { $who } sendte et delingslink
history-note-deleted = { $who } slettede en kalendernote
history-review-expired = Gennemgangen af { $revision } udløb ({ $who })
history-notification-defaults-set = { $who } ændrede arbejdsområdets standardindstillinger for notifikationer
history-other = { $who }: { $action }
history-review-approver-added = { $who } bad også { $email } om at godkende dette opslag, i trinnet { $stage }
wf-hours-heading = Arbejdstid og begrundelser
wf-hours-intro = Analyserne måler ventetid i arbejdstid og i kalendertid; en beslutning, der ønsker ændringer eller afviser, kan give en af begrundelserne.
wf-hours-days = Arbejdsdage
wf-hours-start = Arbejdsdagen begynder
wf-hours-end = Arbejdsdagen slutter
wf-hours-holidays = Fridage (én dato pr. linje, ÅÅÅÅ-MM-DD)
wf-hours-reasons = Begrundelser for at ønske ændringer eller afvise (én pr. linje)
wf-hours-reasons-example = Tonen
wf-hours-save = Gem arbejdstid og begrundelser
wf-hours-saved = Arbejdstid og begrundelser gemt; analyserne måler historikken igen.
wf-hours-bad-time = et klokkeslæt som 09:00
wf-hours-bad-day = “{ $day }” er ikke en dato som 2026-12-24
