//! Markdown descriptions and updates to safe HTML: pulldown-cmark renders, ammonia keeps
//! only harmless tags and attributes (no script, no event handlers, no `javascript:` URLs).
//! Shared by the pages (`web`) and the emails (`notify`), so it belongs to neither.

use pulldown_cmark::{Options, Parser, html};

pub fn to_html(source: &str) -> String {
    let mut raw = String::new();
    html::push_html(
        &mut raw,
        Parser::new_ext(source, Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES),
    );
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&raw)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn markdown_renders_and_scripts_do_not() {
        assert_eq!(to_html("**read-only**").trim(), "<p><strong>read-only</strong></p>");
        let evil = to_html(concat!(
            "<script>alert(1)</script><img src=x onerror=alert(1)>",
            " <a href=\"https://ok.example\" onclick=\"x()\">ok</a>\n\n[x](javascript:alert(1))"
        ));
        assert!(!evil.contains("<script"), "{evil}");
        assert!(!evil.contains("onerror"), "{evil}");
        assert!(!evil.contains("onclick"), "{evil}");
        assert!(!evil.contains("href=\"javascript:"), "{evil}");
        assert!(evil.contains(">x</a>"), "the link text stays, its target goes: {evil}");
        assert!(evil.contains("https://ok.example"), "{evil}");
    }
}
