# Fejl for konti, arbejdsområder, webhooks, kanal-login, revisionseksporter og notifikationer.

## Konti og tokens
err-acct-email-taken = der findes allerede en bruger med e-mailen { $email }
err-acct-current-password-needed = angiv din nuværende adgangskode
err-acct-current-password-wrong = det er ikke din nuværende adgangskode
err-acct-language-choice = vælg English eller Dansk
err-acct-token-user-needed = angiv den bruger, tokenet handler for
err-acct-token-role-above = en { $caller_role } kan ikke oprette et token med rollen { $role }
err-acct-owner-not-member = ikke medlem af arbejdsområdet

## Arbejdsområder, medlemmer og grupper
err-ws-no-such-user = brugeren findes ikke
err-ws-role-choice = en af owner, admin, manager, creator, reviewer, viewer
err-ws-owner-only = kun en ejer kan gøre andre til ejere eller fjerne dem som ejere
err-ws-already-member = allerede medlem; skift rollen i stedet
err-ws-no-user-email = ingen bruger har denne e-mail
err-ws-last-owner = et arbejdsområde skal have mindst én ejer
err-ws-group-not-member = { $user } er ikke medlem af arbejdsområdet
err-ws-group-taken = der findes allerede en gruppe med navnet { $name }
err-ws-page-limit = mellem 1 og { $max }

## Webhooks
err-hook-url-long = højst { $max } tegn
err-hook-url-invalid = ikke en URL som https://hooks.example.org/greenlight
err-hook-url-https = skal være https://
err-hook-url-credentials = må ikke indeholde brugernavn eller adgangskode
err-hook-url-host = mangler en vært
err-hook-url-private = peger på en privat eller lokal adresse, som denne server ikke kalder
err-hook-events-empty = angiv mindst én hændelse, eller `*`
err-hook-events-many = højst { $max } mønstre
err-hook-stage-generic = kun chat-webhooks kan begrænses til et trin; en generisk webhook filtrerer efter hændelse
err-hook-stage-key = et trins nøgle, 1 til 64 tegn

## Forbind en kanal
err-chan-signed-in = kun et indlogget medlem kan forbinde en kanal
err-chan-not-url = ikke en URL
err-chan-no-connector = ingen integration til { $network }
err-chan-credentials = { $network }-kanaler forbindes med loginoplysninger
err-chan-sign-in-lost = dette login er ukendt eller udløbet: start igen fra Indstillinger → Kanaler
err-chan-denied = serveren tillod ikke Greenlight at udgive: { $error }
err-chan-no-code = serveren sendte ingen kode tilbage
err-chan-no-token = serveren gav ikke et adgangstoken: { $why }

## Revisionseksporter
err-audit-to-before-from = må ikke ligge før fra-datoen
err-audit-too-many = perioden rummer over { $max } hændelser: eksportér den i dele
err-audit-not-ours = ikke en revisionseksport fra dette arbejdsområde

## Notifikationer
err-notif-too-many = højst { $max } ad gangen
