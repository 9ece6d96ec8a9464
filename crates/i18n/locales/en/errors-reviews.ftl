# Errors of reviews, workflows, share and decision links, delegations and access (`err-review-…`, `err-wf-…`, `err-link-…`, `err-deleg-…`, `err-access-…`).

## Reviews
err-review-not-active = the review is { $status } and takes no more of this
err-review-stale = this decision is about an older revision; the current one is { $current }
err-review-not-asked = you are not asked at this stage
err-review-which-lane = you are asked in several lanes of this stage ({ $lanes }); say which one
err-review-own-post = nobody approves their own post in this workflow
err-review-already-decided = you already decided on this revision
err-review-comment-required = a comment is required to request changes or reject
err-review-checklist-open = tick every checklist item before approving; open: { $open }
err-review-checklist-unknown = `{ $item }` is not on this stage's checklist
err-review-checklist-automatic = `{ $item }` is ticked by preflight, not by hand: fix what it found
err-review-reason-required = an override needs a reason
err-review-unstaffed = stage `{ $stage }` lane `{ $lane }` needs { $needed } approvals but only { $available } people can answer
err-review-mismatch = the workflow and the review do not match
err-review-changed-meanwhile = the review changed meanwhile; reload and try again
err-review-post-changed-meanwhile = the post changed meanwhile; reload and try again
err-review-already-in-review = the post is already in review
err-review-cannot-decide = a { $role } cannot decide reviews
err-review-text-long = at most { $max } characters
err-review-cannot-override = a { $role } cannot override a review

## Workflows and workflow files
err-wf-user-not-member = user { $user } is not a member
err-wf-group-missing = group { $group } does not exist
err-wf-no-template = no such template
err-wf-definition-or-template = give either a definition or a template
err-wf-name-taken = a workflow with this name exists
err-wf-route-no-workflow = no such workflow in this workspace
err-wf-routes-too-many = at most { $max } rules
err-wf-file-no-user = no user `{ $name }` in this workspace
err-wf-file-no-group = no group `{ $name }` in this workspace
err-wf-file-no-label = no label `{ $name }` in this workspace
err-wf-file-no-channel = no channel `{ $name }` in this workspace
err-wf-file-no-campaign = no campaign `{ $name }` in this workspace
err-wf-file-not-toml = not valid TOML: { $error }
err-wf-file-no-name = the file must give the workflow's name
err-wf-file-not-definition = not a workflow definition: { $error }

## Share links and decision links
err-link-approve-needs-reviewer = an approve link names its reviewer: a workflow lane asks them by this address
err-link-cannot-share-approve = a { $role } cannot share links through which outsiders approve
err-link-no-post = no post { $post } in this workspace
err-link-no-campaign = no such campaign in this workspace
err-link-already-revoked = the link is already revoked
err-link-revoked-or-expired = the link is revoked or expired; make a new one
err-link-view-not-comment = this link lets you view, not comment
err-link-view-not-approve = this link lets you view, not approve or request changes
err-link-comment-not-approve = this link lets you comment, not approve or request changes
err-link-no-reviewer = this link names no reviewer
err-link-visitor-verdict = a visitor approves or requests changes
err-link-decision-used = this link was already used: each works once
err-link-decision-not-waiting = the review no longer waits for this decision; open Greenlight to see where it stands
err-link-decision-checklist = this stage has a checklist to tick: approve it in Greenlight
err-link-decision-post-changed = the post changed since this email was sent; look at the new version

## Delegations
err-deleg-own-only = a { $role } can only delegate their own reviews
err-deleg-not-member = not a member of this workspace
err-deleg-self = a member cannot stand in for themselves
err-deleg-ends-before-start = must be after the start
err-deleg-ends-past = is already past
err-deleg-too-long = a delegation lasts at most { $max } days
err-deleg-end-not-party = a { $role } can only end delegations they are part of

## Access
err-access-needs-user = this needs a user account
err-access-admin-only = only an instance administrator can do this
err-access-edit-own-post = a { $role } cannot edit their own post
err-access-edit-others-post = a { $role } cannot edit somebody else's post
err-access-cannot-view-workspace = a { $role } cannot see the workspace, its members, groups, channels, campaigns and labels
err-access-cannot-view-posts = a { $role } cannot see posts, their revisions, diffs, media and history
err-access-cannot-comment-on-posts = a { $role } cannot comment on posts, reply, and resolve or reopen discussions
err-access-cannot-decide-reviews = a { $role } cannot approve, request changes or reject where a review asks them (or someone they stand in for); name and end their own stand-ins
err-access-cannot-create-posts = a { $role } cannot create posts and save revisions of their own posts; add and remove their own calendar notes
err-access-cannot-edit-own-posts = a { $role } cannot edit and reschedule their own posts
err-access-cannot-edit-any-post = a { $role } cannot edit and reschedule anybody's posts
err-access-cannot-upload-media = a { $role } cannot upload images and videos
err-access-cannot-manage-workflows = a { $role } cannot create and edit workflows and routing rules
err-access-cannot-share-links = a { $role } cannot share posts through links to view or comment, list links and revoke them
err-access-cannot-share-for-approval = a { $role } cannot share links through which an outside reviewer a workflow names may approve
err-access-cannot-manage-planning = a { $role } cannot create and change campaigns and labels
err-access-cannot-manage-style-guide = a { $role } cannot change the style guide that preflight checks posts against
err-access-cannot-manage-groups = a { $role } cannot create groups and choose their members
err-access-cannot-view-workspace-history = a { $role } cannot read the workspace's audit log and verify its chain
err-access-cannot-manage-channels = a { $role } cannot add and change channels
err-access-cannot-manage-webhooks = a { $role } cannot connect slack, teams and discord, register outgoing webhooks, see and redeliver their deliveries
err-access-cannot-manage-members = a { $role } cannot add members, change roles, remove members (only an owner grants or removes owner)
err-access-cannot-manage-tokens = a { $role } cannot create, list and revoke api tokens (a token's role never exceeds its creator's)
err-access-cannot-override-reviews = a { $role } cannot approve a review stage outright, with a recorded reason
err-access-cannot-manage-workspace = a { $role } cannot rename the workspace and change its time zone
