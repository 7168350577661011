//! The UI's pages, by path below its prefix (`/ui` by default).

use http::Method;

/// One UI page or file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum UiRoute {
    /// `/`: search box, namespaces, recent modules and providers.
    Home,
    /// `/search?q=` (`&partial=1`: the results alone, for search as you type).
    Search,
    /// `/namespaces/{ns}`
    Namespace(String),
    /// `/modules/{ns}/{name}/{system}[/{version}]?version=&part=`
    Module { address: String, version: Option<String> },
    /// `/providers/{ns}/{type}[/{version}[/docs/{category}/{slug}]]`
    Provider { address: String, version: Option<String>, page: Option<(String, String)> },
    /// `GET /signin`
    SignInForm,
    /// `POST /signin` with `token=`.
    SignIn,
    /// `GET /signin/sso`: through the identity provider.
    SignInSso,
    /// `POST /signout`
    SignOut,
    /// `/assets/{name}`
    Asset(String),
}

/// The route of `method` `rest` (the path below the prefix); `None` for none.
pub(crate) fn route(method: &Method, rest: &str) -> Option<UiRoute> {
    let parts: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
    let get = *method == Method::GET || *method == Method::HEAD;
    let route = match (parts.as_slice(), get) {
        ([""], true) => UiRoute::Home,
        (["search"], true) => UiRoute::Search,
        (["namespaces", ns], true) => UiRoute::Namespace((*ns).to_owned()),
        (["modules", ns, name, system], true) => {
            UiRoute::Module { address: format!("{ns}/{name}/{system}"), version: None }
        }
        (["modules", ns, name, system, version], true) => {
            UiRoute::Module { address: format!("{ns}/{name}/{system}"), version: Some((*version).to_owned()) }
        }
        (["providers", ns, ty], true) => {
            UiRoute::Provider { address: format!("{ns}/{ty}"), version: None, page: None }
        }
        (["providers", ns, ty, version], true) => UiRoute::Provider {
            address: format!("{ns}/{ty}"),
            version: Some((*version).to_owned()),
            page: None,
        },
        (["providers", ns, ty, version, "docs", category, slug], true) => UiRoute::Provider {
            address: format!("{ns}/{ty}"),
            version: Some((*version).to_owned()),
            page: Some(((*category).to_owned(), (*slug).to_owned())),
        },
        (["signin"], true) => UiRoute::SignInForm,
        (["signin", "sso"], true) => UiRoute::SignInSso,
        (["signin"], false) if *method == Method::POST => UiRoute::SignIn,
        (["signout"], false) if *method == Method::POST => UiRoute::SignOut,
        (["assets", name], true) => UiRoute::Asset((*name).to_owned()),
        _ => return None,
    };
    Some(route)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_found_by_path() {
        assert_eq!(route(&Method::GET, "/"), Some(UiRoute::Home));
        assert_eq!(route(&Method::GET, ""), Some(UiRoute::Home));
        assert_eq!(
            route(&Method::GET, "/modules/acme/net/aws/1.0.0"),
            Some(UiRoute::Module { address: "acme/net/aws".into(), version: Some("1.0.0".into()) })
        );
        assert_eq!(
            route(&Method::GET, "/providers/acme/null/1.0.0/docs/resources/thing"),
            Some(UiRoute::Provider {
                address: "acme/null".into(),
                version: Some("1.0.0".into()),
                page: Some(("resources".into(), "thing".into()))
            })
        );
        assert_eq!(route(&Method::POST, "/signin"), Some(UiRoute::SignIn));
        assert_eq!(route(&Method::GET, "/signout"), None);
        assert_eq!(route(&Method::POST, "/search"), None);
        assert_eq!(route(&Method::GET, "/modules/acme"), None);
    }
}
