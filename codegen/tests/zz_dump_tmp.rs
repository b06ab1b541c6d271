#[test]
fn dump() {
    for f in std::env::var("DUMP").unwrap().split(',') {
        let t = std::time::Instant::now();
        let text = std::fs::read_to_string(f).unwrap();
        let y: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
        let y0 = t.elapsed();
        drop(y);
        let t = std::time::Instant::now();
        let loaded = codegen::load::load_file(std::path::Path::new(f)).unwrap();
        let a = t.elapsed();
        let t = std::time::Instant::now();
        let n = codegen::normalize::normalize(&loaded).unwrap();
        let b = t.elapsed();
        let t = std::time::Instant::now();
        let _ = codegen::normalize::parse(&loaded.file, n.doc).unwrap();
        let c = t.elapsed();
        eprintln!("{f}: yaml only {y0:?} load {a:?} normalize {b:?} parse {c:?}");
    }
}
