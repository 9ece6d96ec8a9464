# Fejl ved godkendelser, arbejdsgange, delings- og beslutningslinks, stedfortrædere og adgang (`err-review-…`, `err-wf-…`, `err-link-…`, `err-deleg-…`, `err-access-…`).

## Godkendelser
err-review-not-active = godkendelsen er { $status } og tager ikke imod mere af dette
err-review-stale = denne beslutning gælder en ældre version; den aktuelle er { $current }
err-review-not-asked = du er ikke spurgt på dette trin
err-review-which-lane = du er spurgt i flere spor på dette trin ({ $lanes }); angiv hvilket
err-review-own-post = ingen godkender deres eget opslag i denne arbejdsgang
err-review-already-decided = du har allerede besluttet dig om denne version
err-review-comment-required = en kommentar er påkrævet for at bede om ændringer eller afvise
err-review-checklist-open = sæt flueben ved alle punkter på tjeklisten før du godkender; åbne: { $open }
err-review-checklist-unknown = `{ $item }` er ikke på dette trins tjekliste
err-review-checklist-automatic = `{ $item }` afkrydses af preflight, ikke manuelt: ret det, den fandt
err-review-reason-required = en tilsidesættelse kræver en begrundelse
err-review-unstaffed = trin `{ $stage }` spor `{ $lane }` kræver { $needed } godkendelser, men kun { $available } personer kan svare
err-review-mismatch = arbejdsgangen og godkendelsen passer ikke sammen
err-review-changed-meanwhile = godkendelsen blev ændret i mellemtiden; genindlæs og prøv igen
err-review-post-changed-meanwhile = opslaget blev ændret i mellemtiden; genindlæs og prøv igen
err-review-already-in-review = opslaget er allerede til godkendelse
err-review-cannot-decide = en { $role } kan ikke træffe beslutninger i godkendelser
err-review-text-long = højst { $max } tegn
err-review-cannot-override = en { $role } kan ikke tilsidesætte en godkendelse

## Arbejdsgange og arbejdsgangsfiler
err-wf-user-not-member = bruger { $user } er ikke medlem
err-wf-group-missing = gruppe { $group } findes ikke
err-wf-no-template = skabelonen findes ikke
err-wf-definition-or-template = angiv enten en definition eller en skabelon
err-wf-name-taken = der findes allerede en arbejdsgang med dette navn
err-wf-route-no-workflow = arbejdsgangen findes ikke i dette arbejdsområde
err-wf-routes-too-many = højst { $max } regler
err-wf-file-no-user = ingen bruger `{ $name }` i dette arbejdsområde
err-wf-file-no-group = ingen gruppe `{ $name }` i dette arbejdsområde
err-wf-file-no-label = ingen etiket `{ $name }` i dette arbejdsområde
err-wf-file-no-channel = ingen kanal `{ $name }` i dette arbejdsområde
err-wf-file-no-campaign = ingen kampagne `{ $name }` i dette arbejdsområde
err-wf-file-not-toml = ikke gyldig TOML: { $error }
err-wf-file-no-name = filen skal angive arbejdsgangens navn
err-wf-file-not-definition = ikke en definition af en arbejdsgang: { $error }

## Delingslinks og beslutningslinks
err-link-approve-needs-reviewer = et godkendelseslink angiver sin godkender: et spor i arbejdsgangen spørger vedkommende på denne adresse
err-link-cannot-share-approve = en { $role } kan ikke dele links, hvorigennem udenforstående godkender
err-link-no-post = intet opslag { $post } i dette arbejdsområde
err-link-no-campaign = kampagnen findes ikke i dette arbejdsområde
err-link-already-revoked = linket er allerede tilbagekaldt
err-link-revoked-or-expired = linket er tilbagekaldt eller udløbet; lav et nyt
err-link-view-not-comment = dette link lader dig se, ikke kommentere
err-link-view-not-approve = dette link lader dig se, ikke godkende eller bede om ændringer
err-link-comment-not-approve = dette link lader dig kommentere, ikke godkende eller bede om ændringer
err-link-no-reviewer = dette link angiver ingen godkender
err-link-visitor-verdict = en besøgende godkender eller beder om ændringer
err-link-decision-used = dette link er allerede brugt: hvert link virker én gang
err-link-decision-not-waiting = godkendelsen venter ikke længere på denne beslutning; åbn Greenlight for at se, hvor den står
err-link-decision-checklist = dette trin har en tjekliste, der skal afkrydses: godkend det i Greenlight
err-link-decision-post-changed = opslaget er ændret, siden denne e-mail blev sendt; se den nye version

## Stedfortrædere
err-deleg-own-only = en { $role } kan kun uddelegere sine egne godkendelser
err-deleg-not-member = ikke medlem af dette arbejdsområde
err-deleg-self = et medlem kan ikke være stedfortræder for sig selv
err-deleg-ends-before-start = skal være efter starten
err-deleg-ends-past = er allerede passeret
err-deleg-too-long = en uddelegering varer højst { $max } dage
err-deleg-end-not-party = en { $role } kan kun afslutte uddelegeringer, vedkommende selv er en del af

## Adgang
err-access-needs-user = dette kræver en brugerkonto
err-access-admin-only = kun en administrator af instansen kan gøre dette
err-access-edit-own-post = en { $role } kan ikke redigere sit eget opslag
err-access-edit-others-post = en { $role } kan ikke redigere en andens opslag
err-access-cannot-view-workspace = en { $role } kan ikke se arbejdsområdet, dets medlemmer, grupper, kanaler, kampagner og etiketter
err-access-cannot-view-posts = en { $role } kan ikke se opslag, deres versioner, forskelle, medier og historik
err-access-cannot-comment-on-posts = en { $role } kan ikke kommentere opslag, svare og løse eller genåbne diskussioner
err-access-cannot-decide-reviews = en { $role } kan ikke godkende, bede om ændringer eller afvise, hvor en godkendelse spørger dem (eller en, de er stedfortræder for); udpege og afslutte deres egne stedfortrædere
err-access-cannot-create-posts = en { $role } kan ikke oprette opslag og gemme versioner af sine egne opslag; tilføje og fjerne sine egne kalendernoter
err-access-cannot-edit-own-posts = en { $role } kan ikke redigere og omplanlægge sine egne opslag
err-access-cannot-edit-any-post = en { $role } kan ikke redigere og omplanlægge andres opslag
err-access-cannot-upload-media = en { $role } kan ikke uploade billeder og videoer
err-access-cannot-manage-workflows = en { $role } kan ikke oprette og redigere arbejdsgange og routingregler
err-access-cannot-share-links = en { $role } kan ikke dele opslag via links til visning eller kommentarer, liste links og tilbagekalde dem
err-access-cannot-share-for-approval = en { $role } kan ikke dele links, hvorigennem en udefrakommende godkender, som en arbejdsgang nævner, kan godkende
err-access-cannot-manage-planning = en { $role } kan ikke oprette og ændre kampagner og etiketter
err-access-cannot-manage-style-guide = en { $role } kan ikke ændre den stilguide, som preflight tjekker opslag mod
err-access-cannot-manage-groups = en { $role } kan ikke oprette grupper og vælge deres medlemmer
err-access-cannot-view-workspace-history = en { $role } kan ikke læse arbejdsområdets revisionslog og verificere dens kæde
err-access-cannot-manage-channels = en { $role } kan ikke tilføje og ændre kanaler
err-access-cannot-manage-webhooks = en { $role } kan ikke forbinde Slack, Teams og Discord, registrere udgående webhooks, se og gensende deres leveringer
err-access-cannot-manage-members = en { $role } kan ikke tilføje medlemmer, ændre roller eller fjerne medlemmer (kun en ejer tildeler eller fjerner ejer)
err-access-cannot-manage-tokens = en { $role } kan ikke oprette, liste og tilbagekalde API-tokens (et tokens rolle overstiger aldrig dets opretters)
err-access-cannot-override-reviews = en { $role } kan ikke godkende et trin i en godkendelse direkte med en registreret begrundelse
err-access-cannot-manage-workspace = en { $role } kan ikke omdøbe arbejdsområdet og ændre dets tidszone
