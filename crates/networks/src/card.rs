//! Link cards: what a page says about itself (Open Graph `og:title`,
//! `og:description`, `og:image`, else its `<title>` and meta description),
//! for networks that show a link as a card and want the client to say so
//! (Bluesky's `app.bsky.embed.external`).

use reqwest::Url;
use scraper::{Html, Selector};

/// A page's card.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Card {
    pub title: String,
    pub description: String,
    /// The picture, made absolute against the page's address.
    pub image: Option<Url>,
}

/// The longest title and description kept (Bluesky shows two lines).
const MAX_TITLE: usize = 300;
const MAX_DESCRIPTION: usize = 1000;

fn meta(document: &Html, selector: &str) -> Option<String> {
    let selector = Selector::parse(selector).ok()?;
    document
        .select(&selector)
        .filter_map(|e| e.value().attr("content"))
        .map(|c| c.split_whitespace().collect::<Vec<_>>().join(" "))
        .find(|c| !c.is_empty())
}

fn clip(text: String, most: usize) -> String {
    if text.chars().count() <= most { text } else { format!("{}…", text.chars().take(most - 1).collect::<String>()) }
}

/// Reads the card from a page's HTML; `page` is where it came from.
pub fn read(html: &str, page: &Url) -> Card {
    let document = Html::parse_document(html);
    let title = meta(&document, r#"meta[property="og:title"]"#)
        .or_else(|| meta(&document, r#"meta[name="twitter:title"]"#))
        .or_else(|| {
            let selector = Selector::parse("title").ok()?;
            let text: String = document.select(&selector).next()?.text().collect();
            Some(text.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|t| !t.is_empty())
        })
        .unwrap_or_default();
    let description = meta(&document, r#"meta[property="og:description"]"#)
        .or_else(|| meta(&document, r#"meta[name="description"]"#))
        .unwrap_or_default();
    let image = meta(&document, r#"meta[property="og:image"]"#)
        .or_else(|| meta(&document, r#"meta[name="twitter:image"]"#))
        .and_then(|src| page.join(&src).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"));
    Card { title: clip(title, MAX_TITLE), description: clip(description, MAX_DESCRIPTION), image }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_prefers_open_graph_and_falls_back_to_the_page_itself() {
        let page = Url::parse("https://example.org/events/open-day").unwrap();
        let og = r#"<html><head><title>Ignored</title>
            <meta property="og:title" content="Open day">
            <meta property="og:description" content="  Doors at ten,
                coffee included ">
            <meta property="og:image" content="/img/open.png"></head><body></body></html>"#;
        let card = read(og, &page);
        assert_eq!(card.title, "Open day");
        assert_eq!(card.description, "Doors at ten, coffee included");
        assert_eq!(card.image.unwrap().as_str(), "https://example.org/img/open.png");
        let plain = r#"<title> The  clinic </title><meta name="description" content="Care"><meta property="og:image" content="javascript:alert(1)">"#;
        assert_eq!(read(plain, &page), Card { title: "The clinic".into(), description: "Care".into(), image: None });
        assert_eq!(read("not html at all <<<", &page), Card::default());
        let long = format!("<title>{}</title>", "é".repeat(400));
        assert_eq!(read(&long, &page).title.chars().count(), MAX_TITLE);
    }
}
