//! The binary as an administrator uses it.

use std::{
    io::Write,
    process::{Command, Output, Stdio},
};

use rstest_reuse::apply;

use crate::{backends, harness::*};

fn greenlight(args: &[&str], db_url: &str, stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_greenlight"))
        .args(args)
        // Commands that fall back to ./greenlight-data write there, not into the checkout.
        .current_dir(env!("CARGO_TARGET_TMPDIR"))
        .env("DATABASE_URL", db_url)
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[apply(backends)]
async fn an_admin_sets_up_greenlight_from_the_command_line(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let url = h.db_url.clone();
    let data = h.data_dir.path().to_str().unwrap().to_owned();
    let d = ["--data-dir", data.as_str()];
    let run = |args: &[&str], stdin: Option<&str>| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend_from_slice(&d);
        greenlight(&all, &url, stdin)
    };

    let out = run(
        &["admin", "create-user", "--email", "Dana@Example.org", "--name", "Dana", "--admin", "--password-stdin"],
        Some("a long password\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out =
        run(&["admin", "create-user", "--email", "dana@example.org", "--name", "Dana", "--password-stdin"], Some("a long password\n"));
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.starts_with("error: ") && err.contains("exists") && err.trim().lines().count() == 1, "{err}");
    let out = run(&["admin", "create-user", "--email", "eve@example.org", "--name", "Eve", "--password-stdin"], Some("short"));
    assert!(text(&out.stderr).contains("password"), "{}", text(&out.stderr));

    let out = run(&["admin", "create-workspace", "--name", "Clinic", "--time-zone", "Europe/Oslo", "--owner", "dana@example.org"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let ws = text(&out.stdout).split(['(', ')']).nth(1).unwrap().to_owned();
    let out = run(&["admin", "create-workspace", "--name", "Bad", "--time-zone", "Nowhere/Atlantis", "--owner", "dana@example.org"], None);
    assert!(text(&out.stderr).contains("time zone"), "{}", text(&out.stderr));

    let out = run(&["admin", "create-token", "--workspace", &ws, "--email", "dana@example.org", "--name", "ci", "--role", "creator"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let token = text(&out.stdout).trim().to_owned();
    let client = h.bearer(&token);
    let r = client.post(&format!("/workspaces/{ws}/posts"), serde_json::json!({"title": "From a script"})).await;
    assert_eq!(r.status, reqwest::StatusCode::CREATED, "{}", r.body);

    let out = run(&["admin", "reset-password", "--email", "dana@example.org", "--password-stdin"], Some("another long password"));
    assert!(out.status.success(), "{}", text(&out.stderr));

    let out = run(&["audit", "verify"], None);
    assert!(out.status.success(), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("chains verify"));
}

#[tokio::test]
async fn audit_verify_exits_2_on_a_broken_chain_and_bad_urls_are_explained() {
    let h = Harness::start(Backend::Sqlite).await;
    h.world("cli").await;
    let pool = sqlx::SqlitePool::connect(&h.db_url).await.unwrap();
    sqlx::query("DROP TRIGGER audit_events_no_update").execute(&pool).await.unwrap();
    sqlx::query("UPDATE audit_events SET action = 'member.removed' WHERE seq = 2 AND chain LIKE 'workspace:%'")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let out = greenlight(&["audit", "verify"], &h.db_url, None);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("BROKEN  chain workspace:"), "{}", text(&out.stdout));

    let out = greenlight(&["migrate"], "mysql://localhost/greenlight", None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("unknown database URL scheme `mysql`"), "{}", text(&out.stderr));
    let out = greenlight(&["default-config"], "", None);
    assert!(text(&out.stdout).contains("listen = \"127.0.0.1:8080\""), "{}", text(&out.stdout));
    let out = greenlight(&["admin", "create-user", "--help"], "", None);
    assert!(text(&out.stdout).contains("--password-stdin"));
}

/// `audit checkpoint` prints signed heads (and appends them to the
/// configured file); `audit verify --checkpoints` proves the chains still
/// extend them, and fails with the checkpoint named once a chain is cut
/// short behind one.
#[tokio::test]
async fn exported_checkpoints_are_verified_from_the_command_line() {
    let h = Harness::start(Backend::Sqlite).await;
    h.world("cli").await;
    let data = h.data_dir.path().to_str().unwrap().to_owned();
    let file = h.data_dir.path().join("exported.jsonl");
    let run = |args: &[&str]| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend_from_slice(&["--data-dir", data.as_str()]);
        let mut child = Command::new(env!("CARGO_BIN_EXE_greenlight"));
        child.env("GREENLIGHT__AUDIT__CHECKPOINT_LOG", &file);
        child.args(&all).current_dir(env!("CARGO_TARGET_TMPDIR")).env("DATABASE_URL", &h.db_url).env_remove("RUST_LOG");
        child.output().unwrap()
    };
    let out = run(&["audit", "checkpoint"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed = text(&out.stdout);
    assert!(printed.lines().count() >= 2 && printed.contains("\"chain\":\"workspace:"), "{printed}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), printed, "the file holds what was printed");
    let key = text(&run(&["audit", "public-key"]).stdout).trim().to_owned();
    assert!(printed.contains(&key), "{key} signs them");

    let f = file.to_str().unwrap();
    let out = run(&["audit", "verify", "--checkpoints", f, "--public-key", &key]);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("checkpoints checked"), "{}", text(&out.stdout));
    let out = run(&["audit", "verify", "--checkpoints", f, "--public-key", "bm90IGEga2V5"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(text(&out.stderr).contains("32 bytes"), "{}", text(&out.stderr));

    // Cut the workspace chain short by its newest event, head moved to match.
    let pool = sqlx::SqlitePool::connect(&h.db_url).await.unwrap();
    sqlx::query("DROP TRIGGER audit_events_no_delete").execute(&pool).await.unwrap();
    let (chain, seq): (String, i64) =
        sqlx::query_as("SELECT chain, seq FROM audit_heads WHERE chain LIKE 'workspace:%'").fetch_one(&pool).await.unwrap();
    sqlx::query("DELETE FROM audit_events WHERE chain = $1 AND seq = $2").bind(&chain).bind(seq).execute(&pool).await.unwrap();
    let (hash,): (String,) = sqlx::query_as("SELECT hash FROM audit_events WHERE chain = $1 AND seq = $2")
        .bind(&chain)
        .bind(seq - 1)
        .fetch_one(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_heads SET seq = $2, hash = $3 WHERE chain = $1")
        .bind(&chain)
        .bind(seq - 1)
        .bind(hash)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let out = run(&["audit", "verify"]);
    assert!(out.status.success(), "the chain alone still verifies: {}", text(&out.stdout));
    let out = run(&["audit", "verify", "--checkpoints", f]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains(&format!("CHECKPOINT {chain} #{seq}")), "{}", text(&out.stdout));
}
