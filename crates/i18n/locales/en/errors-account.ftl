# Errors of accounts, workspaces, webhooks, channel sign-in, audit exports and notifications.

## Accounts and tokens
err-acct-email-taken = a user with email { $email } exists
err-acct-current-password-needed = give your current password
err-acct-current-password-wrong = not your current password
err-acct-language-choice = choose English or Dansk
err-acct-token-user-needed = name the user the token acts for
err-acct-token-role-above = a { $caller_role } cannot create a token with role { $role }
err-acct-owner-not-member = not a member of the workspace

## Workspaces, members and groups
err-ws-no-such-user = no such user
err-ws-role-choice = one of owner, admin, manager, creator, reviewer, viewer
err-ws-owner-only = only an owner can make or unmake owners
err-ws-already-member = already a member; change the role instead
err-ws-no-user-email = no user has this email
err-ws-last-owner = a workspace needs at least one owner
err-ws-group-not-member = { $user } is not a member of the workspace
err-ws-group-taken = a group named { $name } exists
err-ws-page-limit = between 1 and { $max }

## Webhooks
err-hook-url-long = at most { $max } characters
err-hook-url-invalid = not a URL like https://hooks.example.org/greenlight
err-hook-url-https = must be https://
err-hook-url-credentials = must not carry a user name or password
err-hook-url-host = needs a host
err-hook-url-private = points at a private or local address, which this server does not call
err-hook-events-empty = name at least one event, or `*`
err-hook-events-many = at most { $max } patterns
err-hook-stage-generic = only chat hooks are narrowed to a stage; a generic hook filters by event
err-hook-stage-key = a stage's key, 1 to 64 characters

## Connecting a channel
err-chan-signed-in = only a signed-in member connects a channel
err-chan-not-url = not a URL
err-chan-no-connector = no connector for { $network }
err-chan-credentials = { $network } channels connect with credentials
err-chan-sign-in-lost = this sign-in is unknown or expired: start again from Settings → Channels
err-chan-denied = the server did not allow Greenlight to post: { $error }
err-chan-no-code = the server sent no code back
err-chan-no-token = the server did not give an access token: { $why }

## Audit exports
err-audit-to-before-from = must not be before from
err-audit-too-many = the period holds over { $max } events: export it in parts
err-audit-not-ours = not an audit export of this workspace

## Notifications
err-notif-too-many = at most { $max } at once
