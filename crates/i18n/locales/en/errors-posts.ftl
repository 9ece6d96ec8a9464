# Errors of posts, comments, publishing, planning, media and preflight (`err-…`).

## Posts
err-post-empty = must not be empty
err-post-too-long = at most { $max } characters
err-post-no-campaign = no such campaign in this workspace
err-post-no-label = no such label in this workspace
err-post-no-channel = no such channel in this workspace
err-post-media-elsewhere = refers to media that is not in this workspace's library
err-post-required = required
err-post-not-a-state = not a post state
err-post-no-reschedule = a post that is { $state } can no longer be rescheduled
err-post-schedule-unplanned = choose when it goes out before scheduling it
err-post-no-workflow = no workflow applies: make one the default or add a routing rule

## Comments
err-comment-role-cannot = a { $role } cannot comment on posts
err-comment-many-mentions = at most { $max } members
err-comment-not-member = { $user } is not a member of this workspace
err-comment-no-revision = no such revision of this post
err-comment-not-image = is not an image: only images have regions
err-comment-no-parent = no such comment on this post
err-comment-parent-is-reply = is itself a reply: threads are one level deep, so reply to the thread's first comment
err-comment-visitor-internal = a visitor's comments are visible to externals
err-comment-visitor-mentions = a visitor cannot mention members
err-comment-reply-anchor = a reply has its thread's anchor: leave anchor out
err-comment-internal-thread = the thread is internal, so its replies are too
err-comment-revision-from-1 = revisions are numbered from 1
err-comment-resolve-reply = this comment is a reply: a whole thread is resolved, through its first comment
err-comment-reopen-reply = this comment is a reply: a whole thread is reopened, through its first comment
err-comment-already-resolved = the thread is already resolved
err-comment-not-resolved = the thread is not resolved
err-comment-author-only = only its author can edit a comment

## Publishing
err-pub-needs-receiver-url = a { $network } channel needs the URL of its receiver
err-pub-needs-instance = a { $network } channel needs its instance's address
err-pub-needs-token = a { $network } channel needs an access token
err-pub-needs-pds = a { $network } channel needs its PDS's address (https://bsky.social)
err-pub-needs-handle = a { $network } channel needs its handle
err-pub-needs-app-password = a { $network } channel needs an app password
err-pub-mastodon-only = only a Mastodon channel has a visibility and a content warning
err-pub-not-url = not a URL
err-pub-visibility = public, unlisted or private (followers only)
err-pub-unsupported-network = Greenlight cannot publish to { $network } yet: connect a webhook channel instead
err-pub-no-connector = no connector for { $network }
err-pub-not-approved = only an approved post is published
err-pub-state-cannot-publish = a post that is { $state } cannot be published now
err-pub-nothing-to-retry = nothing to retry: the post has no publication on this channel
err-pub-retry-only-failed = only a failed publication is retried; this one is { $status }
err-pub-live-url = give the live post's web address (http or https)
err-pub-future = a post cannot have gone out in the future
err-pub-schedule-first = schedule the post first: it has no publication on this channel
err-pub-by-hand-status = only a scheduled or failed publication is posted by hand; this one is { $status }

## Planning
err-plan-channel-exists = a channel with this network and handle already exists
err-plan-campaign-exists = a campaign with this name already exists
err-plan-label-exists = a label with this name already exists
err-plan-network-one-of = one of { $networks }
err-plan-chars-range = 1 to { $max } characters
err-plan-text-limit-mastodon = only a Mastodon server sets its own text limit
err-plan-channels-first = choose the post's channels first: the queue is per channel
err-plan-no-slots = its channels have no posting times: set them in Settings → Channels
err-plan-slots-taken = every posting time of its channels is taken for the next { $days } days
err-plan-ends-before-start = ends before it starts
err-plan-label-kind = label or pillar
err-plan-note-range = a range of at most { $max } days after from
err-plan-role-cannot-remove-note = a { $role } cannot remove somebody else's note

## Media
err-media-empty = the file is empty
err-media-unreadable = the image cannot be read: { $why }

## Preflight
err-preflight-no-channels = name at least one channel
err-preflight-many-channels = at most { $max } channels
err-preflight-role-cannot-override = a { $role } cannot override preflight findings
