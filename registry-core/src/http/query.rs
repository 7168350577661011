//! Query strings, decoded by `form_urlencoded` (`+` and `%2C` as a browser or curl sends them).

use std::borrow::Cow;

/// The decoded parameters of one request's query string.
#[derive(Clone, Debug, Default)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// Parses `query` (the part after `?`, if any).
    pub fn parse(query: Option<&str>) -> Self {
        let pairs = form_urlencoded::parse(query.unwrap_or("").as_bytes())
            .map(|(k, v): (Cow<'_, str>, Cow<'_, str>)| (k.into_owned(), v.into_owned()))
            .collect();
        Self { pairs }
    }

    /// The first value of `name`, decoded.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Whether `name` is present.
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Every parameter, in order.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::Query;

    #[test]
    fn values_are_decoded() {
        let query = Query::parse(Some("constraint=%3E%3D+1.0%2C+%3C+2.0&protocols=5.0%2C6.0&empty="));
        assert_eq!(query.get("constraint"), Some(">= 1.0, < 2.0"));
        assert_eq!(query.get("protocols"), Some("5.0,6.0"));
        assert_eq!(query.get("empty"), Some(""));
        assert!(query.has("empty") && !query.has("missing"));
        assert!(Query::parse(None).get("x").is_none());
    }
}
