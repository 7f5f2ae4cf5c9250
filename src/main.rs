//! The `tonlage` binary: parse arguments, run the command, map errors to exit status
//! (0 ok, 2 usage or configuration, 1 anything else).

use std::process::ExitCode;

fn main() -> ExitCode {
    tonlage::cli::main()
}
