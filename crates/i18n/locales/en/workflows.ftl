## Workflows: the list, routing rules, a workflow's page, the editor, the simulator.

wf-title = Workflows
wf-version = version { $version }
wf-name = Name
wf-save-next-version = Save as the next version
wf-cancel = Cancel
wf-edit-workflow = Edit the workflow
wf-labels = Labels
wf-reused-content = Reused content

## The list (workflows.html)
wf-list-empty = No workflow yet: start from a template below. Posts need one to be reviewed.
wf-list-default = the default
wf-list-start-from-template = Start from a template
wf-list-template = Template
wf-list-default-for-unrouted = The default for posts no rule routes
wf-list-create = Create the workflow
wf-routes-heading = Routing rules
wf-routes-intro = The first rule (lowest priority number) whose condition a post meets chooses its workflow; posts no rule matches get the default. Every part of a condition that is given must hold; a list holds when any of its entries does.
wf-routes-new-rule = A new rule
wf-routes-rule = Rule { $number }
wf-routes-priority = Priority
wf-routes-workflow = Workflow
wf-routes-no-new-rule = (no new rule)
wf-routes-remove-rule = (remove this rule)
wf-routes-save = Save the rules
wf-routes-saved = Routing rules saved.
wf-routes-whole-number = a whole number
wf-routes-not-a-workflow = not one of the workflows

## The built-in templates
wf-template-hospital-name = Hospital: idea, copy, graphic, QA
wf-template-hospital-description = Idea approval by a manager, then copy and graphic approval, then QA by one of the QA volunteers with a checklist; the creator schedules. Repurposed posts and shared links skip the first three stages.
wf-template-agency-marketing-name = Agency marketing: copywriter, account executive, client, social media manager
wf-template-agency-marketing-description = Sequential sign-off; the client's point person may bring in a department head, who is asked automatically if the client has not answered in two days.
wf-template-agency-recruitment-name = Agency recruitment: copywriter, account executive with recruiting lead, client, social media manager
wf-template-agency-recruitment-description = Like the marketing flow, with the recruiting lead checking each job post beside the account executive.
wf-template-cross-department-name = Cross-department: marketing, PR and legal in parallel
wf-template-cross-department-description = One stage with three lanes; the post is approved when each department has approved it.
wf-template-routine-name = Routine: one light review
wf-template-routine-description = Any one reviewer approves. Route everyday posts here.
wf-template-high-stakes-name = High stakes: manager, then legal and leadership
wf-template-high-stakes-description = A manager approves, then legal and an admin both must. Route sensitive, launch and trending posts here.

## Condition fields (condition_fields.html)
wf-cond-channels = Channels
wf-cond-campaigns = Campaigns
wf-cond-author-role = Author's role
wf-cond-author-group = Author's group
wf-cond-keywords = Words or phrases in the text
wf-cond-separate-commas = (separate with commas)
wf-cond-either = Either
wf-cond-yes = Yes
wf-cond-no = No
wf-cond-shares-link = Shares a link

## A workflow's page (workflow.html)
wf-page-all-workflows = ← All workflows
wf-page-stages = Stages
wf-page-file-heading = Edit as a file
wf-page-file-intro = The whole workflow as its file (the same as the form, for version control or moving between workspaces): stages, lanes, approvers (people by email, groups by name), rules, checklists, due times, reminders, escalation and skip conditions. Saving makes the next version; reviews already running keep theirs.
wf-page-file-label = Workflow file (TOML)
wf-page-simulator = Simulator
wf-page-simulator-intro = Which path would a post take, and who would be asked?
wf-page-text = Text
wf-page-simulate = Simulate
wf-saved-version = Saved as version { $version }.

## A workflow read as sentences
wf-former-member = a former member
wf-removed-group = a removed group
wf-read-anyone-in = anyone in { $group }
wf-read-any-role = any { $role }
wf-read-outside = { $email } (outside, by link)
wf-read-rule-any = any one of
wf-read-rule-all = all of
wf-read-rule-at-least = { $count } of
wf-read-lane = { $lane }: { $rule } { $who }
wf-read-item-by-preflight = { $item } (by preflight)
wf-read-checklist = Checklist: { $items }
wf-read-due-after = Due { $hours } hours after it starts
wf-read-due-before = Due { $hours } hours before the planned time
wf-read-escalation = After { $hours } hours also asks { $who }
wf-read-skipped = Skipped when any of { $count } condition(s) holds
wf-read-approvers-may-edit = Its approvers may edit the content

## The simulator's answer
wf-sim-routed = Routed to { $workflow }
wf-sim-skipped = { $stage }: skipped
wf-sim-lane-asks = { $lane } asks { $who }

## Roles, as the choices and sentences name them
wf-role-name = { $role }

## The editor (workflow_edit.html)
wf-edit-title = Edit { $name }
wf-edit-forbidden = managing workflows
wf-edit-not-saved-yet = Not saved yet.
wf-edit-stale = Someone saved version { $current } while you were editing; your changes are below but not saved. Open the workflow again to start from theirs.
wf-edit-not-saved-see-fields = Not saved: see the fields marked below.
wf-edit-from-version = from version { $version }
wf-edit-intro = Reviews already running keep the version they started with. The buttons that add, remove or move a part keep everything typed; nothing is saved until you save.
wf-edit-the-workflow = The workflow
wf-edit-allow-self-approval = A post's owner may approve it
wf-edit-one-approval-covers = One approval covers the stages that follow when the same person is asked there and their approval alone completes them
wf-edit-policy = When the planned time comes before final approval
wf-edit-policy-hold = Keep waiting and tell the team
wf-edit-policy-fail = End the review (back to draft)
wf-edit-policy-grace = Publish on approval within a grace period
wf-edit-grace = Grace period (minutes)
wf-edit-stages-intro = Stages run left to right; the lanes of a stage run side by side, and the stage is done when every lane is.
wf-edit-stage = Stage { $number }
wf-edit-stage-named = Stage { $number }: { $name }
wf-edit-move-earlier-label = Move stage { $number } earlier
wf-edit-move-earlier = Move earlier
wf-edit-move-later-label = Move stage { $number } later
wf-edit-move-later = Move later
wf-edit-remove-stage-label = Remove stage { $number }
wf-edit-remove-stage = Remove the stage
wf-edit-key = Key
wf-edit-key-hint = (made from the name if empty; decisions refer to it)
wf-edit-lanes = Lanes
wf-edit-lane = Lane { $number }
wf-edit-lane-named = Lane { $number }: { $name }
wf-edit-who-may-answer = Who may answer
wf-edit-choose-several = (choose several with Ctrl or ⌘)
wf-edit-outside = People outside, by email
wf-edit-outside-hint = (asked through a review link; separate with commas)
wf-edit-how-many = How many must approve
wf-edit-rule-any = Any one of them
wf-edit-rule-all = All of them
wf-edit-rule-at-least = At least…
wf-edit-at-least-number = At least (a number)
wf-edit-remove-lane = Remove lane { $number }
wf-edit-add-lane = Add a lane
wf-edit-checklist = Checklist
wf-edit-checklist-count = Checklist ({ $count })
wf-edit-no-checklist = No checklist.
wf-edit-item = Item { $number }
wf-edit-ticked = Ticked
wf-edit-required = Required to approve
wf-edit-remove-item = Remove item { $number }
wf-edit-add-item = Add a checklist item
wf-edit-due-section = Due time, reminders and escalation
wf-edit-due = Due
wf-edit-due-none = No due time
wf-edit-due-after = Hours after the stage starts
wf-edit-due-before = Hours before the planned time
wf-edit-hours = Hours
wf-edit-reminders = Reminders at (% of the time to due)
wf-edit-escalate-after = Escalate after (hours)
wf-edit-also-asking = …also asking
wf-edit-skip-section = Skip this stage when
wf-edit-skip-section-count = Skip this stage when ({ $count })
wf-edit-never-skipped = Never skipped.
wf-edit-condition = Condition { $number }
wf-edit-condition-hint = (every part given must hold; a list holds when any of its entries does)
wf-edit-remove-condition = Remove condition { $number }
wf-edit-add-skip = Add a skip condition
wf-edit-editing-section = Editing by approvers
wf-edit-approvers-may-edit = This stage's approvers may edit the content
wf-edit-own-edits-keep-stage = Their own edits do not send this stage back
wf-edit-add-stage = Add a stage

## The editor's choices
wf-edit-anyone-in = Anyone in { $group }
wf-edit-any-role = Any { $role }
wf-edit-no-longer-here = { $value } (no longer in this workspace)
wf-edit-ticked-by-reviewer = Ticked by the reviewer
wf-edit-by-preflight = By preflight: { $check }
wf-check-text = Text length and content
wf-check-media = Media limits
wf-check-alt-text = Alt text on every image
wf-check-links = Links safe and reachable
wf-check-hashtags = Hashtags
wf-check-mentions = Mentions and accounts to tag
wf-check-style = The style guide
wf-check-disclosures = Required disclosures
wf-check-follow-ups = Thread and first comment

## The editor's refusals, beside their fields
wf-error-hours = a number of hours, more than 0 and at most a year
wf-error-not-a-choice = `{ $value }` is not one of the choices
wf-error-not-an-email = `{ $value }` is not an email address
wf-error-how-many = how many must approve, as a whole number
wf-error-no-check = no check `{ $value }`
wf-error-not-a-percentage = `{ $value }` is not a percentage
wf-error-grace-minutes = a whole number of minutes

## The audit report (audit.html)
audit-title = Audit report
audit-back-to-history = ← History
audit-intro = An export holds a period's events, the signed checkpoints of the log, and the text of every revision approved in it, signed with this instance's audit key. Verifying it checks all of that and that the log still holds it today.
audit-export-heading = Export a period
audit-from = From
audit-to = To (included)
audit-empty-period = Empty: the last 30 days.
audit-download = Download the signed export
audit-verify-heading = Verify an export
audit-file = Export file
audit-verify = Verify
audit-verifies = ✓ The export verifies
audit-does-not-verify = ✗ The export does not verify
audit-check = Check
audit-result = Result
audit-detail = Detail
audit-holds = ✓ holds
audit-fails = ✗ fails
audit-approved-revisions = Approved revisions
audit-revision = Revision { $number }
audit-choose-file = choose an export file
audit-not-an-export = not a Greenlight audit export
audit-summary = { $workspace }: events from { $from } to { $to }, exported { $exported } — { $events }, { $revisions }.
audit-summary-events = { $count } events
audit-summary-revisions = { $count } approved revisions

## History (history.html and its sentences)
history-title = History
history-title-post = History of { $title }
history-heading-post = History of “{ $title }”
history-heading-workspace = History of { $workspace }
history-back = ← Back
history-audit-note = Every change is in the audit log, hash-chained so tampering shows.
history-audit-link = Audit report: export and verify
history-nothing-yet = Nothing yet.
history-latest-events = ← The latest events
history-later-events = Later events →
history-older-events = Older events →

# Who did it: the subject of a sentence.
history-actor-former-member = A former member
history-actor-token = { $name } (API token)
history-actor-external = { $name } (through a share link)
history-actor-cli = An administrator
history-former-member = a former member
history-revision = revision { $number }
history-a-revision = a revision
# A post's state: English writes its name with spaces for underscores ($label).
history-state = { $label }
# A role after "as" or "made … ": with its article in English.
history-role-with-article = { $role ->
    [owner] an owner
    [admin] an admin
   *[other] a { $role }
}
history-a-channel = a channel
history-unknown-network = a
history-after-attempts = after { $count } attempts

history-post-created = { $who } created the post “{ $title }”
history-revision-saved = { $who } saved { $revision }
history-post-updated = { $who } changed the post's details
history-post-state-changed = { $who } moved the post from { $from } to { $to }
history-review-started = { $who } submitted { $revision } for review
history-review-resubmitted = { $who } submitted it for review again
history-review-approved = { $who } approved { $revision } at stage { $stage }
history-review-changes-requested = { $who } asked for changes to { $revision } at stage { $stage }
history-review-rejected = { $who } rejected { $revision } at stage { $stage }
history-review-decided = { $who } { $verdict } { $revision } at stage { $stage }
history-review-overridden = { $who } approved stage { $stage } outright: “{ $reason }”
history-review-withdrawn = { $who } withdrew it from review
history-review-reminder = { $who } reminded the reviewers at stage { $stage }
history-review-seen = { $who } opened it at stage { $stage }
history-review-escalated = { $who } escalated stage { $stage }
history-review-publish-time-passed = The planned time passed before approval ({ $who })
history-comment-added = { $who } commented: “{ $body }”
history-comment-edited = { $who } edited a comment
history-share-link-created = { $who } shared it through a link
history-share-link-visited = { $who } opened a share link
history-style-guide-updated = { $who } changed the style guide
history-note-added = { $who } noted on { $day }: “{ $body }”
history-publish-now = { $who } published it now
history-published = { $who } published it to { $to } at { $time }{ $tries }{ $url }
history-publish-failed = Publishing to { $to } failed at { $time }{ $tries }: { $error }
history-publication-retried = { $who } retried publishing it
history-channel-connected = { $who } connected a channel as { $target }
history-channel-disconnected = { $who } disconnected a channel
history-channel-reconnect-needed = A channel needs connecting again: { $detail }
history-member-added = { $who } added { $person } as { $role }
history-member-role-changed = { $who } made { $person } { $role } (was { $from })
history-member-removed = { $who } removed { $person } from the workspace
history-group-created = { $who } created the group “{ $name }”
history-group-member-added = { $who } added { $person } to a group
history-group-member-removed = { $who } took { $person } out of a group
history-group-deleted = { $who } deleted a group
history-channel-created = { $who } added the channel { $network } { $handle }
history-channel-slots-changed = { $who } changed a channel's posting times
history-campaign-created = { $who } created the campaign “{ $name }”
history-label-created = { $who } created the label “{ $name }”
history-workflow-created = { $who } created the workflow “{ $name }”
history-workflow-changed = { $who } changed the workflow “{ $name }” (version { $version })
history-workflow-routes-set = { $who } changed which workflow each post goes through
history-workspace-created = { $who } created the workspace “{ $name }”
history-workspace-updated = { $who } changed the workspace's settings (“{ $name }”, { $zone })
history-media-uploaded = { $who } uploaded { $filename }
history-token-created = { $who } made the API token “{ $name }” ({ $role })
history-token-revoked = { $who } revoked an API token
history-webhook-created = { $who } added the webhook “{ $name }” to { $host }
history-webhook-deleted = { $who } deleted a webhook
history-webhook-paused = { $who } paused a webhook
history-webhook-resumed = { $who } resumed a webhook
history-webhook-redelivered = { $who } sent a webhook delivery again
history-delegation-created = { $who } had { $delegate } stand in for { $from }
history-delegation-ended = { $who } ended a stand-in
history-comment-resolved = { $who } resolved a comment
history-comment-reopened = { $who } reopened a comment
history-share-link-revoked = { $who } revoked a share link
history-share-link-renewed = { $who } renewed a share link
history-share-link-reissued = { $who } made a share link anew
history-share-link-sent = { $who } sent a share link
history-note-deleted = { $who } deleted a calendar note
history-review-expired = The review of { $revision } expired ({ $who })
history-notification-defaults-set = { $who } changed the workspace's notification defaults
history-other = { $who }: { $action }
history-review-approver-added = { $who } asked { $email } to approve this post too, at stage { $stage }
wf-hours-heading = Business hours and reasons
wf-hours-intro = Analytics measure waiting in business hours as well as in calendar time; a decision asking for changes or rejecting may give one of the reasons.
wf-hours-days = Days worked
wf-hours-start = Working day starts
wf-hours-end = Working day ends
wf-hours-holidays = Holidays (one date a line, YYYY-MM-DD)
wf-hours-reasons = Reasons for asking changes or rejecting (one a line)
wf-hours-reasons-example = Tone
wf-hours-save = Save hours and reasons
wf-hours-saved = Business hours and reasons saved; analytics measure the history again.
wf-hours-bad-time = a time such as 09:00
wf-hours-bad-day = “{ $day }” is not a date such as 2026-12-24
