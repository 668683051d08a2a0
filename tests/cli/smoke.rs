//! The real binary in a pseudo-terminal: it starts, draws the ranking,
//! answers keys, and quits cleanly with exit code 0 (terminal restored).

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

use super::harness::fixture;

fn wait_for(buf: &Arc<Mutex<Vec<u8>>>, needle: &str, timeout: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if String::from_utf8_lossy(&buf.lock().unwrap()).contains(needle) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

#[test]
fn tui_starts_in_a_pty_answers_keys_and_quits_cleanly() {
    let pty = native_pty_system();
    let pair = pty
        .openpty(PtySize {
            rows: 40,
            cols: 120,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_tilsyn"));
    let data = fixture("good/full");
    cmd.args([
        "tui",
        "--data",
        data.to_str().unwrap(),
        "--as-of",
        "2026-06-30",
        "--scorer",
        "rules",
    ]);
    cmd.env("TERM", "xterm-256color");
    cmd.env(crate::harness::KEY_VAR, crate::harness::TEST_KEY);
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let mut writer = pair.master.take_writer().unwrap();
    let buf = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&buf);
    std::thread::spawn(move || {
        let mut chunk = [0u8; 4096];
        while let Ok(n) = reader.read(&mut chunk) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().extend_from_slice(&chunk[..n]);
        }
    });
    let screen = || String::from_utf8_lossy(&buf.lock().unwrap()).to_string();
    assert!(
        wait_for(&buf, "1000000", Duration::from_secs(60)),
        "no site id drawn:\n{}",
        screen()
    );
    for keys in ["j", "j", "?"] {
        writer.write_all(keys.as_bytes()).unwrap();
        writer.flush().unwrap();
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(
        wait_for(&buf, "quit", Duration::from_secs(10)),
        "help screen not shown:\n{}",
        screen()
    );
    writer.write_all(b"\x1b").unwrap();
    std::thread::sleep(Duration::from_millis(200));
    writer.write_all(b"q").unwrap();
    writer.flush().unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(20) {
            child.kill().ok();
            panic!("the TUI did not quit on q:\n{}", screen());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status:?}");
    // The alternate screen was left: the terminal is restored. The reader
    // thread may still be copying the last bytes after the process exits.
    assert!(
        wait_for(&buf, "\u{1b}[?1049l", Duration::from_secs(10)),
        "the alternate screen was not left"
    );
}
