//! One helper to run the `tessera` binary in the CLI tests.

use assert_cmd::Command;

/// The `tessera` binary with the given arguments, ready for `.assert()`.
pub fn tessera(args: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("tessera").expect("tessera binary is built");
    cmd.args(args);
    cmd
}
