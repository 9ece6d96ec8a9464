# Hvorfor en handling blev afvist, og hvad et felt kræver (`err-…`).
err-exists = det findes allerede
err-changed-meanwhile = det blev ændret i mellemtiden; genindlæs og prøv igen
