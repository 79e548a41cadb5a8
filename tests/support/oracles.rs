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
