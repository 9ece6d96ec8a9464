# Why a use case refused, and what a field needs (`err-…`).
err-exists = it already exists
err-changed-meanwhile = it changed meanwhile; reload and try again
