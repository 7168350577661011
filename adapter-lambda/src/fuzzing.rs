//! The invariants of the `lambda_event` fuzz target in `fuzz/`, shared with the test that
//! replays its seed corpus. Built with the `fuzzing` feature (and for this crate's own tests);
//! not part of the adapter's API.

use percent_encoding::utf8_percent_encode;
use tfreg_core::fuzzing::{check_request_context, check_route, Verdict};

use crate::convert::{self, Converted, PATH};
use crate::LambdaOptions;

/// The body limit events are converted under.
const LIMIT: u64 = 4 << 10;

/// Checks the conversion of a Lambda event (API Gateway REST or HTTP API, ALB or function URL
/// JSON, as lambda_http parses it) into the core's request, with and without stage stripping:
///
/// - it never panics, and refuses with a 4xx (a body over the limit, a path that makes no URI);
/// - a converted request's path starts with `/`, and routes and makes a request context as the
///   core's own checks want ([`check_route`], [`check_request_context`]);
/// - without stage stripping there is no stage prefix; with it, when both convert, the stripped
///   path is the unstripped one without its (encoded) stage prefix, or the same path;
/// - the body is at most the limit.
///
/// Events lambda_http itself refuses or panics on (see `parse_event`) are refused.
/// Accepted when lambda_http parses the event and it converts with stage stripping.
pub fn check_lambda_event(input: &[u8]) -> Verdict {
    let Ok(text) = std::str::from_utf8(input) else { return Verdict::Refused };
    let [Some(stripped), Some(kept)] = [true, false].map(|strip_stage| convert_event(text, strip_stage))
    else {
        return Verdict::Refused;
    };
    if let (Ok(stripped), Ok(kept)) = (&stripped, &kept) {
        assert_eq!(kept.stage_prefix, None, "a stage prefix without stripping");
        let (short, long) = (stripped.request.uri().path(), kept.request.uri().path());
        if let Some(prefix) = &stripped.stage_prefix {
            let prefix = utf8_percent_encode(prefix, PATH).to_string();
            let strips =
                long.strip_prefix(prefix.as_str()).is_some_and(|rest| rest == short || rest.is_empty());
            assert!(strips || short == long, "{long:?} became {short:?} by stripping {prefix:?}");
        } else {
            assert_eq!(short, long, "a path changed without a stage");
        }
        assert_eq!(stripped.request.uri().query(), kept.request.uri().query());
    }
    Verdict::of(&stripped)
}

/// lambda_http's request for the event in `text`, or `None` when it refuses the event or
/// panics on it. lambda_http 1.3 panics, before any of this crate's code runs, on events whose
/// body is marked base64 but is not (as `Body::from_maybe_encoded` documents), and on events
/// whose host, path or query make no URL or URI (`build_request_uri` and the `expect` after it):
/// those are its bugs, not this crate's, so they are caught here (with the panic hook silenced,
/// as the fuzzer's hook would abort) and count as refusals.
fn parse_event(text: &str) -> Option<lambda_http::Request> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let parsed = std::panic::catch_unwind(|| lambda_http::request::from_str(text));
    std::panic::set_hook(hook);
    parsed.ok()?.ok()
}

/// The event in `text` converted with or without stage stripping, when lambda_http parses it.
fn convert_event(text: &str, strip_stage: bool) -> Option<Result<Converted, ()>> {
    let event = parse_event(text)?;
    let options = LambdaOptions { strip_stage, public_url: None };
    Some(match convert::request(event, &options, LIMIT) {
        Ok(converted) => {
            check_converted(&converted);
            Ok(converted)
        }
        Err(err) => {
            assert!(err.status().is_client_error(), "{err} is not a 4xx");
            Err(())
        }
    })
}

fn check_converted(converted: &Converted) {
    let request = &converted.request;
    let path = request.uri().path();
    assert!(path.starts_with('/'), "{path:?} does not start with /");
    assert!(request.body().len() as u64 <= LIMIT);
    if let Some(prefix) = &converted.stage_prefix {
        assert!(prefix.starts_with('/') && prefix.len() > 1, "stage prefix {prefix:?}");
    }
    check_route(request.method(), path);
    let mut head = http::Request::new(());
    *head.method_mut() = request.method().clone();
    *head.uri_mut() = request.uri().clone();
    *head.headers_mut() = request.headers().clone();
    check_request_context(&head.into_parts().0);
}

#[cfg(test)]
mod tests {
    use super::check_lambda_event;

    /// Replays `fuzz/corpus/lambda_event/` (written by `fuzz/gen_seed_corpus.py`).
    #[test]
    fn lambda_event_corpus() {
        tfreg_testkit::corpus::replay("lambda_event", 12, |bytes| check_lambda_event(bytes).is_accepted());
    }
}
