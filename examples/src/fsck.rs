//! `tfreg fsck`: checks the store a registry keeps, and with `--repair` collects its garbage
//! (see `tfreg_core::maintenance`). Read-only without `--repair`, and safe beside running
//! servers either way: nothing an index references is ever removed, and nothing younger than
//! the grace period.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tfreg_core::maintenance::{
    CheckOptions, CheckReport, Damage, Garbage, GarbageKind, GarbageReport, Maintenance,
};
use tfreg_core::storage::Storage;

use crate::cli::{FsckArgs, Output};

/// The store is whole and holds no garbage older than the grace period.
pub(crate) const EXIT_CLEAN: i32 = 0;
/// Problems were found (after `--repair`: problems are left).
pub(crate) const EXIT_PROBLEMS: i32 = 1;
/// The store could not be checked.
pub(crate) const EXIT_ERROR: i32 = 2;

/// What `--output json` prints.
#[derive(Serialize)]
struct FsckDocument<'a> {
    /// The store checked.
    storage: &'a str,
    /// What the check found.
    check: &'a CheckReport,
    /// What `--repair` removed; `null` without it.
    repair: Option<&'a GarbageReport>,
    /// Problems left: damage (which `--repair` cannot mend) and garbage older than the grace
    /// period that is still there.
    problems_left: usize,
}

/// Checks (and repairs) the store; the exit code.
pub(crate) fn run(args: FsckArgs) -> crate::Result<i32> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async move {
        if let Some(path) = args.storage.strip_prefix("file://") {
            // Opening a file store creates its folder; a checker must not.
            if !std::path::Path::new(path).is_dir() {
                return Err(format!("there is no store at {path}").into());
            }
        }
        let storage: Arc<dyn Storage> = Arc::new(tfreg_storage::from_url(&args.storage)?);
        let maintenance = Maintenance::new(storage, tfreg_core::clock::system());
        let options = CheckOptions { grace: args.grace, verify_content: !args.quick };
        let check = maintenance.check(&options).await?;
        let repair = match args.repair {
            true => Some(maintenance.collect_garbage(args.grace).await?),
            false => None,
        };
        let problems_left = problems_left(&check, repair.as_ref());
        match args.output {
            Output::Text => print!("{}", render(&args.storage, &check, repair.as_ref(), problems_left)),
            Output::Json => {
                let document = FsckDocument {
                    storage: &args.storage,
                    check: &check,
                    repair: repair.as_ref(),
                    problems_left,
                };
                println!("{}", serde_json::to_string_pretty(&document)?);
            }
        }
        Ok(if problems_left == 0 { EXIT_CLEAN } else { EXIT_PROBLEMS })
    })
}

/// The problems the check found that a repair did not remove.
fn problems_left(check: &CheckReport, repair: Option<&GarbageReport>) -> usize {
    let Some(repair) = repair else { return check.problems() };
    let removed: HashSet<&str> = repair.removed.iter().map(|g| g.key.as_str()).collect();
    let garbage = check.garbage.iter().filter(|g| g.collectable && !removed.contains(g.key.as_str())).count();
    check.damaged.len() + garbage + repair.lost.len()
}

/// The summary for people.
fn render(
    storage: &str,
    check: &CheckReport,
    repair: Option<&GarbageReport>,
    problems_left: usize,
) -> String {
    let mut out = String::new();
    let verified = if check.bytes_verified > 0 {
        format!(", {} read and hashed", bytes(check.bytes_verified))
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "{storage}: {}, {} referenced objects, {} intact{verified}",
        count(check.indexes, "index", "indexes"),
        check.referenced,
        check.objects_verified
    );
    if check.damaged.is_empty() {
        let _ = writeln!(out, "damage: none");
    } else {
        let _ = writeln!(out, "damage ({}):", check.damaged.len());
        for damage in &check.damaged {
            let _ = writeln!(out, "  {}", describe(damage));
        }
    }
    let grace = age(check.grace_secs);
    let old = check.garbage.iter().filter(|g| g.collectable).count();
    if check.garbage.is_empty() {
        let _ = writeln!(out, "garbage: none");
    } else {
        let size = bytes(check.garbage.iter().map(|g| g.size).sum());
        let _ = writeln!(
            out,
            "garbage ({}, {size}; {old} at least as old as the grace period of {grace}):",
            check.garbage.len()
        );
        for piece in &check.garbage {
            let young = if piece.collectable { "" } else { ", kept: younger than the grace period" };
            let _ = writeln!(out, "  {}{young}", garbage(piece));
        }
    }
    if let Some(repair) = repair {
        if repair.removed.is_empty() {
            let _ = writeln!(out, "repair: removed nothing");
        } else {
            let _ =
                writeln!(out, "repair: removed {} ({}):", repair.removed.len(), bytes(repair.removed_bytes));
            for piece in &repair.removed {
                let _ = writeln!(out, "  {}", garbage(piece));
            }
        }
        for key in &repair.lost {
            let _ = writeln!(
                out,
                "  LOST {key}: a publish reused it while it was removed; publish that version again"
            );
        }
    }
    let young = check.garbage.len() - old;
    match problems_left {
        0 if young > 0 => {
            let _ = writeln!(out, "clean; {young} piece(s) of garbage younger than the grace period kept");
        }
        0 => {
            let _ = writeln!(out, "clean");
        }
        n => {
            let hint = match repair {
                None if old > 0 => " (--repair removes the garbage)",
                None => "",
                Some(_) => " left (restore or publish again what is damaged)",
            };
            let _ = writeln!(out, "{n} problem(s){hint}");
        }
    }
    out
}

fn describe(damage: &Damage) -> String {
    match damage {
        Damage::Missing { key, index, entry } => format!("missing       {key} ({index}, {entry})"),
        Damage::WrongSize { key, index, entry, expected, actual } => {
            format!("wrong size    {key} ({index}, {entry}): {actual} bytes, the index says {expected}")
        }
        Damage::WrongDigest { key, index, entry, expected_sha256, actual_sha256 } => format!(
            "wrong content {key} ({index}, {entry}): SHA-256 {actual_sha256}, the index says {expected_sha256}"
        ),
        Damage::Unreadable { key, what, error } => format!("unreadable    {key} ({what}): {error}"),
        _ => format!("{damage:?}"),
    }
}

fn garbage(piece: &Garbage) -> String {
    let kind = match piece.kind {
        GarbageKind::Orphan => "orphan",
        GarbageKind::Upload => "upload",
        GarbageKind::Unfinished => "unfinished",
        _ => "other",
    };
    let old = piece.age_secs.map_or_else(|| "age unknown".to_owned(), |secs| format!("{} old", age(secs)));
    format!("{kind:<13} {} ({}, {old})", piece.key, bytes(piece.size))
}

/// `1 index`, `3 indexes`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `1.5 MiB`, `12 B`.
fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// `3d 4h`, `25m 3s`, `0s`: the two largest units.
fn age(secs: u64) -> String {
    let parts = [(secs / 86_400, "d"), (secs / 3600 % 24, "h"), (secs / 60 % 60, "m"), (secs % 60, "s")];
    let shown: Vec<String> = parts
        .iter()
        .skip_while(|(n, _)| *n == 0)
        .take(2)
        .filter(|(n, _)| *n > 0)
        .map(|(n, u)| format!("{n}{u}"))
        .collect();
    if shown.is_empty() {
        "0s".to_owned()
    } else {
        shown.join(" ")
    }
}

/// Parses `90s`, `30m`, `24h`, `7d`, `1h30m` or plain seconds.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if let Ok(secs) = text.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    let invalid = || format!("invalid duration {text:?}: use e.g. 90s, 30m, 24h, 7d or 1h30m");
    let mut total = 0u64;
    let mut digits = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return Err(invalid()),
        };
        let n: u64 = digits.parse().map_err(|_| invalid())?;
        total = n.checked_mul(unit).and_then(|s| total.checked_add(s)).ok_or_else(invalid)?;
        digits.clear();
    }
    if !digits.is_empty() || text.is_empty() {
        return Err(invalid());
    }
    Ok(Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_as_operators_write_them() {
        let secs = |t: &str| parse_duration(t).map(|d| d.as_secs());
        assert_eq!(secs("0"), Ok(0));
        assert_eq!(secs("0s"), Ok(0));
        assert_eq!(secs("90"), Ok(90));
        assert_eq!(secs("30m"), Ok(1800));
        assert_eq!(secs("24h"), Ok(86_400));
        assert_eq!(secs("7d"), Ok(604_800));
        assert_eq!(secs("1h30m"), Ok(5400));
        for bad in ["", "h", "24x", "1.5h", "-1h", "10h5", "99999999999999999999d"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sizes_and_ages_read_well() {
        assert_eq!(bytes(12), "12 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(89 << 20), "89.0 MiB");
        assert_eq!(age(0), "0s");
        assert_eq!(age(59), "59s");
        assert_eq!(age(3600), "1h");
        assert_eq!(age(90_061), "1d 1h");
        assert_eq!(age(1500), "25m");
    }
}
