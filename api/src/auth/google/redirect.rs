//! Which client redirect URIs the callback may send a user (and a one-time code) to.
//!
//! An open redirect here would hand sign-in codes to anyone, so the rule is the
//! strictest that still serves web and mobile apps: an exact match of a registered
//! entry after URL normalisation (scheme, user info, host, port, path). No wildcards,
//! no prefix match (`/cb` does not allow `/cb/evil`), and no query or fragment,
//! neither in the entries nor in what a client asks for: the callback adds `code`
//! and `state` itself. Custom schemes (`com.maigie.app:/oauth`) serve mobile apps.

use url::Url;

/// The registered client redirect URIs (`OAUTH_REDIRECT_ALLOWLIST`).
#[derive(Debug, Clone, Default)]
pub struct RedirectAllowlist(Vec<Url>);

impl RedirectAllowlist {
    /// Parses the registered entries; names the first bad one.
    ///
    /// # Errors
    /// An entry that is not an absolute URL, or has a wildcard, a query or a fragment.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<Self, String> {
        entries
            .iter()
            .map(|raw| {
                let raw = raw.as_ref();
                if raw.contains('*') {
                    return Err(format!("{raw:?}: wildcards are not allowed"));
                }
                let url = Url::parse(raw).map_err(|e| format!("{raw:?}: {e}"))?;
                if url.query().is_some() || url.fragment().is_some() {
                    return Err(format!("{raw:?}: no query string or fragment"));
                }
                Ok(url)
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    /// The registered entry `given` is, if it is one.
    #[must_use]
    pub fn find(&self, given: &str) -> Option<&Url> {
        let url = Url::parse(given).ok()?;
        if url.query().is_some() || url.fragment().is_some() {
            return None;
        }
        // `Url` compares its normalised serialisation: every component, exactly.
        self.0.iter().find(|entry| **entry == url)
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list() -> RedirectAllowlist {
        RedirectAllowlist::parse(&[
            "https://app.maigie.com/oauth/callback",
            "http://127.0.0.1:3000/cb",
            "com.maigie.app:/oauth",
        ])
        .expect("valid entries")
    }

    #[test]
    fn only_an_exact_registered_uri_is_allowed() {
        let cases = [
            ("https://app.maigie.com/oauth/callback", true),
            ("HTTPS://APP.maigie.com:443/oauth/callback", true),
            ("http://127.0.0.1:3000/cb", true),
            ("com.maigie.app:/oauth", true),
            ("https://app.maigie.com/oauth/callback/more", false),
            ("https://app.maigie.com/oauth/callbac", false),
            ("https://app.maigie.com/oauth/callback?next=/", false),
            ("https://app.maigie.com/oauth/callback#x", false),
            ("https://evil.com/oauth/callback", false),
            ("https://app.maigie.com.evil.com/oauth/callback", false),
            ("https://user@app.maigie.com/oauth/callback", false),
            ("http://app.maigie.com/oauth/callback", false),
            ("http://127.0.0.1:3001/cb", false),
            ("http://localhost:3000/cb", false),
            ("com.maigie.app:/oauth/x", false),
            ("com.evil.app:/oauth", false),
            ("/oauth/callback", false),
            ("", false),
        ];
        let allowlist = list();
        for (given, allowed) in cases {
            assert_eq!(allowlist.find(given).is_some(), allowed, "{given}");
        }
    }

    #[test]
    fn entries_with_wildcards_queries_fragments_or_no_scheme_are_refused() {
        for bad in [
            "https://*.maigie.com/cb",
            "https://app.maigie.com/cb?x=1",
            "https://app.maigie.com/cb#frag",
            "app.maigie.com/cb",
        ] {
            assert!(RedirectAllowlist::parse(&[bad]).is_err(), "{bad}");
        }
        assert!(
            RedirectAllowlist::parse::<&str>(&[])
                .expect("empty")
                .is_empty()
        );
    }
}
