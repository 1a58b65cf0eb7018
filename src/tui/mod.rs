//! The terminal UI.
pub fn run(
    _l: Vec<crate::lesson::Lesson>,
    _i: Option<usize>,
    _r: std::path::PathBuf,
    _g: std::rc::Rc<crate::ledger::Ledger>,
    _lang: crate::lesson::Lang,
) -> anyhow::Result<()> {
    todo!()
}
