//! Several instances on one PostgreSQL database and one S3 bucket, as a
//! team runs Greenlight when it grows: two processes of the real binary
//! that only serve (`serve --no-worker`) and one that only works
//! (`greenlight worker`), each with a data directory of its own, sharing
//! the keys through their configuration.

use std::{path::Path, process::Stdio, time::Duration};

use base64::Engine as _;
use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

use crate::{harness::*, preflight::upload_picture};

/// The configuration every instance shares, as environment variables.
fn shared(db_url: &str, s3: &S3Server, mail: &MailSink, secret_file: &Path) -> Vec<(String, String)> {
    let key = |byte: u8| base64::engine::general_purpose::STANDARD.encode([byte; 32]);
    [
        ("DATABASE_URL", db_url.to_owned()),
        ("GREENLIGHT__MEDIA__STORE", "s3".into()),
        ("GREENLIGHT__MEDIA__S3__BUCKET", s3.bucket.clone()),
        ("GREENLIGHT__MEDIA__S3__ENDPOINT", s3.endpoint.clone()),
        ("GREENLIGHT__MEDIA__S3__ACCESS_KEY_ID", "greenlight".into()),
        ("GREENLIGHT__MEDIA__S3__SECRET_ACCESS_KEY_FILE", secret_file.display().to_string()),
        ("GREENLIGHT__MAIL__HOST", "127.0.0.1".into()),
        ("GREENLIGHT__MAIL__PORT", mail.port.to_string()),
        ("GREENLIGHT__MAIL__TLS", "none".into()),
        ("GREENLIGHT__PUBLISHING__KEY", key(3)),
        ("GREENLIGHT__AUDIT__SIGNING_KEY", key(4)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

fn command(args: &[&str], env: &[(String, String)], data: &Path) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_greenlight"));
    command
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env_remove("RUST_LOG")
        .kill_on_drop(true)
        .stdin(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// `greenlight serve --no-worker` on a port of its own; its address once it
/// listens.
async fn server(env: &[(String, String)], data: &Path) -> (tokio::process::Child, String) {
    let mut child = command(&["serve", "--no-worker", "--listen", "127.0.0.1:0"], env, data).stdout(Stdio::piped()).spawn().unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    while let Some(line) = lines.next_line().await.unwrap() {
        if let Some(rest) = line.strip_prefix("Greenlight is running at ") {
            let base = rest.split_whitespace().next().unwrap().to_owned();
            // The rest of what it says is not read; it must not block on it.
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            return (child, base);
        }
    }
    panic!("the server stopped before it listened: {:?}", child.wait().await);
}

async fn create_user(env: &[(String, String)], data: &Path, email: &str, admin: bool) {
    let mut args = vec!["admin", "create-user", "--email", email, "--name", email.split('@').next().unwrap(), "--password-stdin"];
    if admin {
        args.push("--admin");
    }
    let mut child = command(&args, env, data).stdin(Stdio::piped()).stdout(Stdio::null()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(PASSWORD.as_bytes()).await.unwrap();
    assert!(child.wait().await.unwrap().success(), "creating {email}");
}

async fn login(base: &str, email: &str, password: &str) -> (StatusCode, Option<Client>) {
    let http = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let res = http.post(format!("{base}/api/v1/session")).json(&json!({"email": email, "password": password})).send().await.unwrap();
    let status = res.status();
    let body: serde_json::Value = res.json().await.unwrap_or_default();
    let client = (status == StatusCode::OK).then(|| Client {
        http,
        base: base.to_owned(),
        csrf: body["csrf_token"].as_str().map(String::from),
        bearer: None,
    });
    (status, client)
}

#[tokio::test]
async fn two_servers_and_a_worker_share_one_database_one_bucket_and_the_limits() {
    let (mail, s3) = (MailSink::start().await, S3Server::start("greenlight-media").await);
    let db_url = postgres_schema().await;
    let dirs: Vec<tempfile::TempDir> = (0..4).map(|_| tempfile::tempdir().unwrap()).collect();
    let secret = dirs[3].path().join("s3-secret");
    std::fs::write(&secret, "not-a-real-secret\n").unwrap();
    let env = shared(&db_url, &s3, &mail, &secret);

    for (email, admin) in [("root@example.org", true), ("owner@north.example.org", false), ("creator@north.example.org", false)] {
        create_user(&env, dirs[3].path(), email, admin).await;
    }
    create_user(&env, dirs[3].path(), "reviewer@north.example.org", false).await;
    let (_a, a) = server(&env, dirs[0].path()).await;
    let (_b, b) = server(&env, dirs[1].path()).await;
    let _worker = command(&["worker"], &env, dirs[2].path()).stdout(Stdio::null()).spawn().unwrap();

    // Set up through one server, work through the other.
    let root = login(&a, "root@example.org", PASSWORD).await.1.unwrap();
    let ws = root
        .post("/workspaces", json!({"name": "north", "time_zone": "Europe/Copenhagen", "owner_email": "owner@north.example.org"}))
        .await;
    assert_eq!(ws.status, StatusCode::CREATED, "{}", ws.body);
    let ws = ws.body["id"].as_str().unwrap().to_owned();
    for (email, role) in [("creator@north.example.org", "creator"), ("reviewer@north.example.org", "reviewer")] {
        let r = root.post(&format!("/workspaces/{ws}/members"), json!({"email": email, "role": role})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let owner = login(&b, "owner@north.example.org", PASSWORD).await.1.unwrap();
    let wf =
        owner.post(&format!("/workspaces/{ws}/workflows"), json!({"name": "Routine", "template": "routine", "is_default": true})).await;
    assert_eq!(wf.status, StatusCode::CREATED, "{}", wf.body);

    // The post is created through A, its picture uploaded through B, and A
    // serves the picture from the bucket (its own data directory has none).
    let creator_a = login(&a, "creator@north.example.org", PASSWORD).await.1.unwrap();
    let creator_b = login(&b, "creator@north.example.org", PASSWORD).await.1.unwrap();
    let post =
        creator_a.post(&format!("/workspaces/{ws}/posts"), json!({"title": "Harbour day", "content": {"text": "Boats at noon"}})).await;
    assert_eq!(post.status, StatusCode::CREATED, "{}", post.body);
    let path = format!("/workspaces/{ws}/posts/{}", post.body["post"]["id"].as_str().unwrap());
    let picture = upload_picture(&creator_b, &ws, 64, 48).await;
    let served = creator_a.http.get(format!("{a}/api/v1/workspaces/{ws}/media/{picture}/content")).send().await.unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    assert!(served.bytes().await.unwrap().starts_with(&[0xff, 0xd8]), "the JPEG as uploaded");
    assert_eq!(walk(dirs[0].path()) + walk(dirs[1].path()), 0, "no media on either server's disk");
    let content = json!({"content": {"text": "Boats at noon", "media": [{"media_id": picture, "alt_text": "A red square"}]}});
    let etag = creator_a.get(&path).await.headers["etag"].to_str().unwrap().to_owned();
    let saved =
        Client::send(creator_b.request(reqwest::Method::POST, &format!("{path}/revisions")).header("if-match", etag).json(&content)).await;
    assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.body);
    let review = creator_a.post(&format!("{path}/review"), json!(null)).await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);

    // The worker mails the reviewer, who approves through B; the worker
    // then tells the creator.
    let asked = arrived(&mail, "reviewer@north.example.org").await;
    assert!(asked["subject"].as_str().unwrap().contains("Harbour day"), "{asked}");
    let reviewer = login(&b, "reviewer@north.example.org", PASSWORD).await.1.unwrap();
    let decided = reviewer
        .post(&format!("{path}/review/decisions"), json!({"verdict": "approve", "revision": review.body["current_revision"]}))
        .await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.body);
    assert_eq!(creator_a.get(&format!("{path}/review")).await.body["run"]["status"], "approved");

    // Five wrong passwords, split between the servers, use up the
    // address's five attempts a minute: the right one is refused on both.
    for base in [&a, &b, &a, &b, &a] {
        assert_eq!(login(base, "owner@north.example.org", "wrong password").await.0, StatusCode::UNAUTHORIZED);
    }
    for base in [&a, &b] {
        assert_eq!(login(base, "owner@north.example.org", PASSWORD).await.0, StatusCode::TOO_MANY_REQUESTS, "{base}");
    }
    // Another address is not held back by it.
    assert_eq!(login(&b, "creator@north.example.org", PASSWORD).await.0, StatusCode::OK);
}

/// The first mail to `address`, once the worker (another process) has sent
/// it.
async fn arrived(mail: &MailSink, address: &str) -> serde_json::Value {
    for _ in 0..600 {
        if let Some(first) = mail.to(address).into_iter().next() {
            return first;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no mail to {address} in 30 s: {:?}", mail.messages());
}

/// Files under `dir`'s `media`, at any depth.
fn walk(dir: &Path) -> usize {
    fn count(dir: &Path) -> usize {
        std::fs::read_dir(dir)
            .map(|entries| entries.flatten().map(|e| if e.path().is_dir() { count(&e.path()) } else { 1 }).sum())
            .unwrap_or(0)
    }
    count(&dir.join("media"))
}
