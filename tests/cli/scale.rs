//! Scale in shape, not only in size: a staffing agency that placed 20,000
//! workers at thousands of sites must not make ranking grow with the square
//! of its clients (the network features once paired every client site with
//! every other). Memory is read by `/usr/bin/time` (installed by `.ci/run`),
//! never timed.

use std::path::Path;
use std::process::Command;

use super::harness::{run_tilsyn, tempdir};

/// Generates a country whose every permit came through a recruiter.
fn country(dir: &Path, recruiters: &str) {
    run_tilsyn(
        [
            "generate",
            "--out",
            &dir.display().to_string(),
            "--sites",
            "36000",
            "--seed",
            "5",
            "--workers-per-site",
            "2",
            "--recruiter-share",
            "1.0",
            "--recruiters",
            recruiters,
        ],
        &[],
    )
    .assert_code(0);
}

/// Peak resident memory (KB) of `tilsyn rank --scorer rules` on a folder.
fn rank_peak_kb(dir: &Path) -> u64 {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "peak-kb %M"])
        .arg(env!("CARGO_BIN_EXE_tilsyn"))
        .args([
            "rank", "--scorer", "rules", "--format", "csv", "--quiet", "--data",
        ])
        .arg(dir)
        .output()
        .expect("/usr/bin/time is required (apt-get install time)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .find_map(|l| l.strip_prefix("peak-kb "))
        .and_then(|v| v.trim().parse().ok())
        .expect("a peak-kb line from /usr/bin/time")
}

/// Permits and distinct sites of the busiest recruiter.
fn busiest_recruiter(dir: &Path) -> (usize, usize) {
    let text = std::fs::read_to_string(dir.join("permits.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let r = header.iter().position(|h| *h == "recruiter_id").unwrap();
    let s = header.iter().position(|h| *h == "site_id").unwrap();
    let mut by: std::collections::HashMap<String, (usize, std::collections::HashSet<String>)> =
        std::collections::HashMap::new();
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        if let (Some(rec), Some(site)) = (f.get(r), f.get(s))
            && !rec.is_empty()
        {
            let e = by.entry((*rec).to_string()).or_default();
            e.0 += 1;
            e.1.insert((*site).to_string());
        }
    }
    by.values()
        .map(|(n, sites)| (*n, sites.len()))
        .max()
        .unwrap_or((0, 0))
}

#[test]
fn one_recruiter_for_the_whole_country_barely_changes_peak_memory() {
    let spread = tempdir();
    let one = tempdir();
    country(spread.path(), "200");
    country(one.path(), "1");
    let (workers, sites) = busiest_recruiter(one.path());
    assert!(
        workers >= 20_000 && sites >= 5_000,
        "the single recruiter serves {workers} workers at {sites} sites; the test needs 20,000 at 5,000"
    );
    let base = rank_peak_kb(spread.path());
    let hub = rank_peak_kb(one.path());
    assert!(
        (hub as f64) < 1.5 * base as f64,
        "peak memory {hub} KB with one recruiter against {base} KB with 200"
    );
}
