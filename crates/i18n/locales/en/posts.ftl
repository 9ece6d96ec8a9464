# The post page and composer, the preview and preflight panel, the media
# picker, the calendar and search.

## The post page
post-new = New post
post-not-saved = Not saved yet
post-not-planned = not planned yet
post-resubmit = Resubmit for review
post-owner-planned = Owner: { $owner } · Planned: { $planned }
post-review = Review
post-history = History
post-publishing = Publishing
post-pub-published = published
post-pub-live = the live post
post-pub-failed = failed
post-pub-retry = Retry
post-pub-last-try = (last try: { $error })
post-pub-by-hand = Posted it by hand?
post-pub-by-hand-url = Address of the live post
post-pub-mark = Mark as published
post-pub-status-scheduled = scheduled
post-pub-status-publishing = publishing
post-pub-status-published = published
post-pub-status-failed = failed
post-pub-status-unknown = unknown
post-pub-status-cancelled = cancelled
post-publish-now = Publish now
post-legend-post = The post
post-title = Title
post-brief = Brief
post-channels = Channels
post-no-channels = No channels yet: an admin adds them in Settings.
post-content = Content
post-text = Text (every channel, unless its tab says otherwise)
post-text-per-channel = Text per channel
post-variant-text = Text on { $channel } (empty: the text above)
post-link = Link
post-thread-and-comment = Thread and first comment
post-first-comment = First comment
post-thread = Thread: the posts that follow, separated by a line with ---
post-plan = Plan
post-planned-day = Planned day
post-time = Time
post-zone = Time zone
post-campaign = Campaign
post-campaign-none = None
post-labels = Labels
post-no-labels = No labels yet.
post-repurposed = Reused content (some workflows skip early stages for it)
post-save = Save
post-create = Create the post
post-submit = Submit for review
post-path-intro = It will go through
post-blocked = Preflight found errors in the saved revision; fix them (each channel's preview lists them), save, then submit:
post-override = Submit despite preflight errors, because… (owners and admins; recorded)
post-approved = Approved
post-schedule-for = Schedule for { $when }
post-queue = Queue
post-queue-help = Plans it at the next posting time of its channels that no other post holds (set them in Settings → Channels).
post-queue-add = Add to queue
post-scheduled-for = Scheduled for { $when }
post-unschedule = Take off the schedule
post-share = Share for review
post-share-may = They may
post-share-view = see it
post-share-comment = see and comment
post-share-days = For days
post-share-name = Their name
post-share-make = Make a link
post-side = Feedback and preview
post-feedback = Feedback
post-open-comments = Open comments ({ $count })
post-resolve = Resolve
post-review-reply = The review, to reply →
post-choose-channel = Choose a channel to see how each network will show it.

## The path a submission will take
post-path-a-member = a member
post-path-needed = ({ $count } of them)
post-path-nobody = nobody yet
post-skipped-here = skipped for this post
post-skipped-always = skipped always
post-skipped-because = skipped because { $reasons }
post-skip-and = and
post-skip-or = or
post-skip-shares-link = the post shares a link
post-skip-shares-no-link = the post shares no link
post-skip-reused = it is reused content
post-skip-new = it is new content
post-skip-a-label = a label
post-skip-label = it has the label { $names }
post-skip-a-channel = a channel
post-skip-channel = it goes to { $names }
post-skip-a-campaign = a campaign
post-skip-campaign = it is in the campaign { $names }
post-skip-role = a { $role }
post-skip-author = its author is { $roles }
post-skip-group = its author is in a group the workflow names
post-skip-keyword = “{ $word }”
post-skip-mentions = it mentions { $words }

## Feedback
post-feedback-changes = { $who } asked for changes to revision { $number }, { $when }
post-feedback-rejected = { $who } rejected revision { $number }, { $when }
post-feedback-approved = { $who } approved revision { $number }, { $when }

## Notices
post-done-created = Post created. Add what is missing, then submit it for review.
post-done-scheduled = Scheduled: it goes out at its planned time.
post-done-unscheduled = Taken off the schedule: it stays approved.
post-done-resolved = Comment resolved.
post-done-publishing = Sending it now; each channel's outcome shows here.
post-done-retrying = Trying that channel again.
post-done-marked = Marked as published by hand.
post-saved-revision = Saved as revision { $number }.
post-saved-details = Saved the post's details; the content is unchanged.
post-saved-nothing = Nothing changed.
post-saved-back-in-review = The content changed after approval, so it is back in review.
post-not-submitted = Not submitted: preflight found errors. Each channel's preview lists its own; fix them and save first.
post-share-done-comment = The link (shown this once; anyone with it can see and comment):
post-share-done-view = The link (shown this once; anyone with it can see the post):
post-queued = Added to the queue: it is planned for { $when }.

## Media
media-summary-count = Media:
media-summary-chosen = chosen · pick from the library or upload
media-upload-label = Upload an image or video (it joins the library, chosen for this post)
media-upload = Upload
media-library-empty = The library is empty: upload a file.
media-use = Use { $file }
media-alt = Alt text
media-alt-required = (required)
media-stale-form = the form was older than your session; reload it
media-choose-file = choose a file to upload

## Preview and preflight
preview-title = Preview
preview-errors-block = { $count ->
    [one] error
   *[other] errors
} (they block submission)
preview-warnings-shown = { $count ->
    [one] warning
   *[other] warnings
} (shown to reviewers)
preview-on = Preview on
preview-tab-errors = { $count } errors
preview-card-label = Preview on { $network } { $handle }
preview-sev-error = error
preview-sev-warning = warning
preview-thread = The thread
preview-first-comment = First comment:
preview-count-as = characters as { $network } counts them
preview-suggestion = suggestion:
preview-nothing = Preflight found nothing here.
preview-no-alt = No alt text
preview-no-limit = no limit
preview-field-text = the text
preview-field-title = the title
preview-field-first-comment = the first comment
preview-field-link = the link
preview-field-thread = thread post { $number }
preview-field-media = media item { $number }
preview-actions-x = Reply · Repost · Like · Bookmark
preview-actions-bluesky = Reply · Repost · Like
preview-actions-mastodon = Reply · Boost · Favourite · Bookmark
preview-actions-linkedin = Like · Comment · Repost · Send
preview-actions-instagram = Like · Comment · Share · Save
preview-actions-threads = Like · Reply · Repost · Share
preview-actions-facebook = Like · Comment · Share
preview-actions-pinterest = Save · Share
preview-blocking = { $channel }: { $count ->
    [one] { $count } error
   *[other] { $count } errors
}

## The calendar
cal-title = Calendar
cal-mon = Mon
cal-tue = Tue
cal-wed = Wed
cal-thu = Thu
cal-fri = Fri
cal-sat = Sat
cal-sun = Sun
cal-week-of = Week of { $date }
cal-not-a-day = That is not a day on the calendar: { $why }.
cal-moved = Moved “{ $title }” to { $when }.
cal-moved-kept = Its approvals are kept: only the time changed.
cal-move-title = Move to another day
cal-move-day = Day
cal-hour = Hour
cal-move-kept = Approvals are kept: only the time changes.
cal-move = Move
cal-cancel = Cancel
cal-view = Calendar view
cal-month = Month
cal-week = Week
cal-list = List
cal-move-in-time = Move in time
cal-earlier = ← Earlier
cal-today = Today
cal-later = Later →
cal-times-in = Times in { $zone }
cal-hint-drag = drag a post to another day to move it
cal-hint-drag-week = drag a post to another day or hour to move it
cal-hint-touch = open a post to change its day and time
cal-hint-kept = approvals are kept when only the time changes
cal-filters = Filters
cal-filters-on = Filters ({ $count } on)
cal-channel = Channel
cal-campaign = Campaign
cal-label = Label
cal-state = State
cal-owner = Owner
cal-all = All
cal-anyone = Anyone
cal-filter = Filter
cal-today-lower = today
cal-no-posts-planned = no posts planned
cal-no-posts = No posts
cal-new-post-on = New post on { $day }
cal-new-post-this-day = New post on this day
cal-more = { $count } more
cal-nothing-planned = Nothing is planned this month.
cal-note-day = Note on day
cal-note = Note
cal-note-placeholder = Heart month starts
cal-note-add = Add note
cal-card-move = Move…
cal-card-move-label = Move “{ $title }” to another day or hour

## Search
search-title = Search
search-title-q = Search: { $q }
search-label = Words, a title, a campaign or a label
search-button = Search
search-none = No post holds “{ $q }”.
search-newest = The newest { $count } posts that hold “{ $q }”.
search-found = { $count ->
    [one] { $count } post holds “{ $q }”.
   *[other] { $count } posts hold “{ $q }”.
}
search-not-planned = not planned yet
search-found-in-title = found in the title
search-found-in-text = found in the text
search-found-in-brief = found in the brief
search-found-in-campaign = found in the campaign
search-found-in-label = found in the label
search-found-in-other = found in the { $place }
post-share-approve = approve or ask for changes
post-share-email = Their email (for an approve link)
post-share-email-help = An approve link is emailed to them, and this post's review asks them too, at its last stage: no workflow to change.
post-share-done-approve-at = The approve link goes to { $email }; this post's review asks them too, at { $stage }.
post-share-done-approve = The approve link goes to { $email }.
post-share-no-mail-server = No mail server is set up, so nothing was emailed: an owner or admin reissues the link under Settings → Share links to pass it on.
