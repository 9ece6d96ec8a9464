# Preflight findings (crates/domain/src/preflight): each is the English
# `message` of a finding with its `words`, byte for byte. Values are text:
# numbers come as their decimal text, names (networks, links, phrases from
# the post or the style guide) as they are.

## Text and follow-ups
finding-empty = { $network } needs some text, or an image or video
finding-follow-up-empty = an empty post cannot be published
finding-length-characters = { $network } allows { $limit } characters; this is { $length }
finding-length-weighted-characters = { $network } allows { $limit } weighted characters; this is { $length }
finding-length-graphemes = { $network } allows { $limit } graphemes; this is { $length }
finding-length-description = { $network } allows { $limit } characters in a description; this is { $length }
finding-length-title = { $network } allows { $limit } characters in a title; this is { $length }
finding-length-comment = { $network } allows { $limit } characters in a comment; this is { $length }
finding-length-bytes = { $network } allows { $limit } bytes of text; this is { $length } (emoji and many scripts take several bytes each)
finding-too-many-hashtags = { $network } allows at most { $limit } hashtags; this has { $count }
finding-too-many-mentions = { $network } allows at most { $limit } @-mentions; this has { $count }
finding-too-many-topic-tags = { $network } allows at most { $limit } topic tag; this has { $count }
finding-first-comment-unsupported = { $network } takes no comments from apps: the first comment is not published there
finding-thread-unsupported = { $network } has no threads: the { $posts } follow-up post(s) are not published there
finding-too-large = the { $field } is { $bytes } bytes; preflight looks at most { $max }

## Links
finding-links-malformed = `{ $link }` is not a well-formed link
finding-links-unreachable = `{ $link }` did not answer: { $reason }
finding-links-post-too-long = the post's link must be at most { $max } characters
finding-links-post-not-absolute = the post's link must be an absolute http:// or https:// link
finding-links-unsafe = `{ $scheme }` links run code or open files on the reader's device; they are never published

## Media
finding-media-required = { $network } publishes only posts with an image or a video
finding-media-missing = this item is no longer in the media library
finding-media-count = { $network } takes at most { $max } items in a post; this has { $count }
finding-media-videos = { $network } takes at most { $max } video(s) in a post; this has { $count }
finding-media-video-alone = on { $network }, a video must be the post's only media
finding-media-gif-alone = on { $network }, a GIF must be the post's only media
finding-media-type = { $network } does not take { $type }; it takes { $types }
finding-media-size = { $network } takes files up to { $max } MB; this is { $size } MB
finding-media-duration = { $network } takes videos of { $min } s to { $max } s; this is { $length } s
finding-media-aspect-ratio = { $network } takes shapes from { $min } to { $max } (width:height); this is { $ratio }
finding-media-pixels = { $network } takes images of at most { $max } pixels; this is { $width } × { $height }
finding-media-alt-text = describe this image in alt text for people who cannot see it
finding-media-alt-text-length-characters = { $network } takes alt text of { $max } characters; this is { $length }
finding-media-alt-text-length-graphemes = { $network } takes alt text of { $max } graphemes; this is { $length }

## The style guide
finding-style-banned = “{ $phrase }” is not to be published
finding-style-banned-reason = “{ $phrase }” is not to be published: { $reason }
finding-style-term = write “{ $preferred }”, not “{ $written }”
# A pattern rule's message is the workspace's own words.
finding-style-pattern = { $message }
finding-style-emoji = at most { $max } emoji in a post; this has { $count }
finding-style-exclamations = at most { $max } exclamation marks in a post; this has { $count }
finding-style-all-caps = words in capitals read as shouting
finding-hashtags-banned = #{ $tag } is on the style guide's list of hashtags not to use
finding-hashtags-required = this post needs #{ $tag }
finding-mentions-always-tag = tag { $mention } in this post on { $network }
finding-disclosures-required = this post must say “{ $text }” in its text
