//! README rendering: CommonMark to HTML, then sanitised.

use pulldown_cmark::{html, Options, Parser};

/// `markdown` as HTML safe to put in a page: rendered with tables, strikethrough and task
/// lists, then cleaned by `ammonia` (no scripts, styles, event handlers or `javascript:`
/// links; links get `rel="noopener noreferrer"`).
pub(crate) fn to_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut rendered = String::with_capacity(markdown.len() + markdown.len() / 2);
    html::push_html(&mut rendered, Parser::new_ext(markdown, options));
    ammonia::clean(&rendered)
}
