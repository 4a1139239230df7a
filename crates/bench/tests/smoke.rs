//! The whole benchmark at toy size: every part runs and prints its table.

use std::process::Command;

fn rows<'a>(out: &'a str, section: &str) -> Vec<&'a str> {
    out.split("\n## ")
        .find(|s| s.starts_with(section))
        .unwrap_or_else(|| panic!("no section {section:?} in:\n{out}"))
        .lines()
        .filter(|l| {
            l.starts_with("| ")
                && !l.starts_with("| Bot |")
                && !l.starts_with("| Operation |")
                && !l.starts_with("| |")
        })
        .collect()
}

#[test]
fn every_part_runs_at_toy_size_and_prints_its_table() {
    let out = Command::new(env!("CARGO_BIN_EXE_botwerk-bench"))
        .args([
            "--users",
            "4",
            "--messages",
            "9",
            "--runs",
            "1",
            "--think-ms",
            "20",
            "--instances",
            "3",
            "--big",
            "2000",
        ])
        .output()
        .expect("the benchmark runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    for section in ["Throughput", "Latency"] {
        let rows = rows(&stdout, section);
        assert_eq!(rows.len(), 4, "four bots in {section}: {rows:?}");
        for row in rows {
            let per_second: f64 = row.split('|').nth(2).unwrap().trim().parse().unwrap();
            assert!(per_second > 0.0, "{row}");
        }
    }
    let memory = rows(&stdout, "Memory");
    assert!(
        memory.iter().any(|r| r.contains("per idle instance")),
        "{memory:?}"
    );
    let scaling = rows(&stdout, "Scaling");
    assert_eq!(scaling.len(), 9, "{scaling:?}");
    assert!(
        scaling
            .iter()
            .any(|r| r.contains("purge 2k expired records")),
        "{scaling:?}"
    );
    assert!(
        scaling
            .iter()
            .any(|r| r.contains("in a store of 2k subjects")),
        "{scaling:?}"
    );
}
