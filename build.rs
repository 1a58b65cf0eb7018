//! Embeds every `lessons/*.toml` in the binary, so `boxlab` works from any directory.
use std::fmt::Write;

fn main() {
    println!("cargo:rerun-if-changed=lessons");
    let mut files: Vec<_> = std::fs::read_dir("lessons")
        .expect("lessons/ directory")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    files.sort();
    let mut out = String::from(
        "/// (file name, contents) of every lesson file, in order.\npub static EMBEDDED: &[(&str, &str)] = &[\n",
    );
    for f in files {
        println!("cargo:rerun-if-changed=lessons/{f}");
        writeln!(out, "    (\"lessons/{f}\", include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/lessons/{f}\"))),").unwrap();
    }
    out.push_str("];\n");
    std::fs::write(
        std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("lessons.rs"),
        out,
    )
    .unwrap();
}
