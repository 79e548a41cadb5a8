//! Third-party servers the tests check the app and the sandbox against (`tests/oracles/`).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// A Node.js oracle server, stopped when dropped.
pub struct NodeOracle {
    pub url: String,
    child: Child,
}

impl NodeOracle {
    /// Runs `tests/oracles/<script>` and waits for its `listening on URL` line.
    pub fn start(script: &str, args: &[&str]) -> NodeOracle {
        let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("oracles");
        assert!(
            folder.join("node_modules").is_dir(),
            "the oracles' npm packages are missing: run `make deps` (npm --prefix tests/oracles ci)"
        );
        let mut child = Command::new("node")
            .arg(folder.join(script))
            .args(args)
            .current_dir(&folder)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
        let mut line = String::new();
        stdout
            .read_line(&mut line)
            .expect("the oracle prints its address");
        // Keep reading: a closed pipe would kill the server at its next line of output.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line from {script}: {line}"))
            .to_string();
        NodeOracle { url, child }
    }
}

impl Drop for NodeOracle {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Stoplight Prism in proxy mode: forwards every request to `upstream` and checks it (and the
/// answer) against an OpenAPI description, logging each violation. Stopped when dropped.
pub struct PrismProxy {
    pub url: String,
    child: Child,
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl PrismProxy {
    pub fn start(spec: &std::path::Path, upstream: &str) -> PrismProxy {
        let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("oracles");
        let cli = folder.join("node_modules/@stoplight/prism-cli/dist/index.js");
        assert!(
            cli.is_file(),
            "Prism is missing: run `make deps` (npm --prefix tests/oracles ci)"
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut child = Command::new("node")
            .arg(cli)
            .args(["proxy", "--host", "127.0.0.1", "-p", &port.to_string()])
            .arg(spec)
            .arg(upstream)
            .current_dir(&folder)
            .env("NO_COLOR", "1")
            .env("FORCE_COLOR", "0")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("node runs");
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (ready, listening) = std::sync::mpsc::channel();
        for stream in [
            Box::new(child.stdout.take().expect("piped")) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().expect("piped")),
        ] {
            let (log, ready) = (log.clone(), ready.clone());
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if line.contains("Prism is listening") {
                        let _ = ready.send(());
                    }
                    log.lock().expect("log").push(line);
                }
            });
        }
        listening
            .recv_timeout(std::time::Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("Prism did not start: {:?}", log.lock().expect("log")));
        PrismProxy {
            url: format!("http://127.0.0.1:{port}"),
            child,
            log,
        }
    }

    /// Every line Prism logged that reports a violation of the description.
    pub fn violations(&self) -> Vec<String> {
        self.log
            .lock()
            .expect("log")
            .iter()
            .filter(|line| line.contains("Violation:"))
            .cloned()
            .collect()
    }

    /// Each violation with the request Prism was handling when it reported it ("patch
    /// /v1.0/chats/…"); the app sends one request at a time, so the last request line is it.
    pub fn violations_by_request(&self) -> Vec<(String, String)> {
        let mut current = String::new();
        let mut found = Vec::new();
        for line in self.log.lock().expect("log").iter() {
            if let Some((_, rest)) = line.split_once("[HTTP SERVER] ")
                && let Some((request, _)) = rest.split_once(" ℹ")
            {
                current = request.trim().to_string();
            } else if line.contains("Violation:") {
                found.push((current.clone(), line.clone()));
            }
        }
        found
    }

    /// The requests Prism saw, as "get /v1.0/me".
    pub fn requests(&self) -> Vec<String> {
        self.log
            .lock()
            .expect("log")
            .iter()
            .filter_map(|line| {
                let (_, rest) = line.split_once("[HTTP SERVER] ")?;
                rest.split_once(" ℹ")
                    .map(|(request, _)| request.trim().to_string())
            })
            .collect()
    }
}

impl Drop for PrismProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
