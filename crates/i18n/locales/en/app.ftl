# The frame of every page, post states, errors.
lang-name = English
app-skip = Skip to content
app-switch-workspace = Switch workspace
app-workspaces = Workspaces
app-your-workspaces = Your workspaces
app-nav-main = Main
app-nav-calendar = Calendar
app-nav-new-post = New post
app-nav-my-reviews = My reviews
app-nav-workflows = Workflows
app-nav-history = History
app-nav-analytics = Analytics
app-nav-settings = Settings
app-search-label = Search posts
app-search-placeholder = Search posts  /
app-bell = Notifications: { $count } unread
app-sign-out = Sign out
app-language = Language
app-keys-title = Keyboard shortcuts
app-key-new = New post
app-key-search = Search posts
app-key-next = Next and previous in a list (my reviews, search)
app-key-approve = Approve the review shown or chosen, after a confirmation
app-key-list = This list
app-close = Close
app-former-member = a former member
count-posts = { $count ->
    [one] { $count } post
   *[other] { $count } posts
}

state-in-review-at = In review at { $stage }
state-draft = Draft
state-in-review = In review
state-changes-requested = Changes requested
state-rejected = Rejected
state-approved = Approved
state-scheduled = Scheduled
state-publishing = Publishing
state-published = Published
state-failed = Failed

card-published = { $network }: published { $url }
card-failed = { $network }: failed — { $error }
card-going-out = { $network }: going out
card-no-answer = { $network }: no answer yet ({ $error }); asking before sending again
card-late = went out late, at { $time }

error-sign-in = Please sign in
error-session-ended = Your session has ended.
error-not-found = Not found
error-no-such = There is no such { $what }, or it is not yours to see.
error-not-allowed = Not allowed
error-role-forbids = Your role does not allow this: { $why }.
error-please-check = Please check
error-could-not = Could not do that
error-changed-meanwhile = Changed meanwhile
error-reload = Someone changed this since you opened it; reload to see their change.
error-too-large = Too large
error-most-bytes = The most is { $limit } bytes.
error-unsupported-file = Unsupported file
error-went-wrong = Something went wrong
error-logged = It is logged under { $id }; please try again, or quote it when you report it.

noun-workspace = workspace
noun-workflow = workflow
noun-link = link
noun-webhook = webhook
noun-revision = revision
noun-channel = channel
noun-open-review = open review
noun-member = member
noun-group = group
noun-user = user
noun-share-link = share link
noun-page = page
noun-media = media
noun-token = token
noun-thumbnail = thumbnail
noun-settings-action = settings action
noun-review = review
noun-post = post
noun-note = note
noun-delivery = delivery
noun-delegation = delegation
noun-comment = comment

lang-short = EN
lang-browser = As my browser asks ({ $lang })
lang-legend = Read Greenlight in
lang-emails-too = Emails Greenlight sends you are written in it too.
lang-save = Save language
lang-saved = Language saved.

# Words the page's script writes (`%name%` takes a value).
js-on-words = On the words “%words%”%where%
js-on-image = On a spot of the image (%x%% across, %y%% down)
js-copy = Copy
js-copied = Copied
js-find = Find…
js-find-in = Find in %list%
js-the-list = the list
js-approve = Approve %what%?
js-this-revision = this revision

# Notifications, written in the reader's language when stored.
event-waits-for-you = { $title } waits for your review at { $stage }
event-reconnect = A channel needs reconnecting: { $detail }
event-reconnect-refused = A channel needs reconnecting: the network refused its credentials
event-changes-requested = { $actor } asked for changes to { $title }
event-rejected = { $actor } rejected { $title }
event-approved = { $actor } approved { $title }
event-reminder = Reminder: { $title } waits for your review
event-escalated = { $title } is overdue and was escalated
event-review-expired = { $title } was not approved by its planned time; its review expired
event-planned-time-passed = { $title } reached its planned time without approval; it waits
event-published = { $title } went out on { $handle }
event-published-somewhere = { $title } went out on a channel
event-publish-failed = { $title } could not go out on { $handle }: { $error }
event-mentioned = { $actor } mentioned you on { $title }
event-commented = { $actor } commented on { $title }
event-approved-everywhere = { $title } is approved by every stage
