//! Artifact bodies are Markdown written by people; here they become HTML that is safe
//! to put in a page (pulldown-cmark renders, ammonia removes scripts, styles, event
//! handlers and `javascript:` links), plain text for the search index, and line diffs
//! between versions.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

use super::api::{DiffLine, DiffSide};

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

/// Markdown as sanitised HTML. Raw HTML in the source is escaped or stripped; links
/// get `rel="noopener noreferrer"`.
pub fn render(markdown: &str) -> String {
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options()));
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&unsafe_html)
        .to_string()
}

/// The words of a Markdown text without its markup, for the search index and
/// snippets.
pub fn plain_text(markdown: &str) -> String {
    let mut text = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::Rule => text.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell) => text.push(' '),
            Event::Start(Tag::CodeBlock(_)) => text.push(' '),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A line-by-line comparison of two versions of a text.
pub fn diff(old: &str, new: &str) -> Vec<DiffLine> {
    similar::TextDiff::from_lines(old, new)
        .iter_all_changes()
        .map(|change| DiffLine {
            side: match change.tag() {
                similar::ChangeTag::Equal => DiffSide::Same,
                similar::ChangeTag::Delete => DiffSide::Removed,
                similar::ChangeTag::Insert => DiffSide::Added,
            },
            text: change.value().trim_end_matches('\n').to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_markdown() {
        let html = render("## Doel\n\n- **Exit ticket** aan het eind\n");
        assert!(html.contains("<h2>Doel</h2>"));
        assert!(html.contains("<strong>Exit ticket</strong>"));
    }

    #[test]
    fn strips_scripts_styles_handlers_and_javascript_links() {
        let html = render(
            "<script>alert(1)</script>\n\n<style>body{display:none}</style>\n\n<img src=x onerror=alert(1)>\n\n[klik](javascript:alert(1)) <a href=\"https://example.org\" onclick=\"x()\">ok</a>",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<style"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("rel=\"noopener noreferrer nofollow\""), "{html}");
    }

    #[test]
    fn plain_text_drops_markup() {
        assert_eq!(
            plain_text("## Doel\n\nDe **leerling** legt uit.\n\n- een\n- twee"),
            "Doel De leerling legt uit. een twee"
        );
    }

    #[test]
    fn diff_marks_added_and_removed_lines() {
        let lines = diff("a\nb\nc\n", "a\nc\nd\n");
        let sides: Vec<_> = lines.iter().map(|l| (l.side, l.text.as_str())).collect();
        assert_eq!(
            sides,
            vec![(DiffSide::Same, "a"), (DiffSide::Removed, "b"), (DiffSide::Same, "c"), (DiffSide::Added, "d")]
        );
    }
}
