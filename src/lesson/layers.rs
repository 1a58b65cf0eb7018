//! Host-side work of the images lesson: an image of two read-only layers (the root filesystem
//! as the base, and an "app" layer made here), each box's upper and work directories, and a
//! second box on the same image. Everything lives in one scratch directory of this run, listed
//! in the ledger and removed whole when the lesson ends.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::agent::BoxAgent;
use crate::agent::protocol::{Action, Outcome, OverlayPaths, Request};
use crate::kernel::files::{self, FileStat};
use crate::kernel::process::{CommandOutput, Heading};
use crate::kernel::{By, SyscallRecord, root};
use crate::lang::{Detail, detail};
use crate::ledger::Ledger;

/// The app layer's files: (path in the image, contents).
pub const APP_FILES: [(&str, &str); 2] = [
    ("app/hello.txt", "hello from the app layer\n"),
    ("etc/motd", "Welcome to a box built from two layers.\n"),
];

/// Where the image and the boxes' layers are, as host paths.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    /// The scratch directory holding everything below but the base.
    pub dir: PathBuf,
    /// The base layer: the session's root filesystem, shared with every other lesson.
    pub base: PathBuf,
    pub app: PathBuf,
}

impl Image {
    /// `box1`, `box2`: one box's upper, work and merged directories.
    pub fn box_dir(&self, n: u8) -> PathBuf {
        self.dir.join(format!("box{n}"))
    }

    pub fn upper(&self, n: u8) -> PathBuf {
        self.box_dir(n).join("upper")
    }

    /// The lower layers, top first (the order of overlayfs's lowerdir).
    pub fn lowers(&self) -> [&Path; 2] {
        [&self.app, &self.base]
    }

    /// The box's overlay, relative to its directory: the app layer is `../app`; the base is
    /// `../../NAME` when the scratch directory is beside it, else its absolute path.
    pub fn overlay(&self, n: u8) -> OverlayPaths {
        let s = |p: &Path| p.to_string_lossy().into_owned();
        let base = match (self.base.parent(), self.base.file_name()) {
            (Some(parent), Some(name)) if self.dir.parent() == Some(parent) => {
                format!("../../{}", name.to_string_lossy())
            }
            _ => s(&self.base),
        };
        OverlayPaths {
            dir: s(&self.box_dir(n)),
            lower: vec!["../app".into(), base],
            upper: "upper".into(),
            work: "work".into(),
            merged: "merged".into(),
            volume: None,
        }
    }

    /// The host directory a box's volume binds: beside the layers, removed with them.
    pub fn volume(&self) -> PathBuf {
        self.dir.join("volume")
    }

    /// `file` in the volume's host directory: one plain name, so that nothing outside it is
    /// written or read.
    pub fn volume_file(&self, file: &str) -> Result<PathBuf, String> {
        if file.is_empty() || file.contains('/') || file == "." || file == ".." {
            return Err(format!(
                "`{file}` is not a file name: a volume file is one name, without `/`"
            ));
        }
        Ok(self.volume().join(file))
    }

    /// `path` (absolute, as a box names it) inside a host directory that is a layer.
    pub fn inside(layer: &Path, path: &str) -> PathBuf {
        layer.join(path.trim_start_matches('/'))
    }
}

/// What the images lesson made and saw, for the checks and the panes.
#[derive(Clone, Debug, Default)]
pub struct LayerFacts {
    pub image: Option<Image>,
    /// The lower layers' fingerprint when the image was made, and how many entries they hold.
    pub fingerprint: Option<(u64, usize)>,
    /// The first box's root is the overlay.
    pub rooted: bool,
    /// lstat(2) results: (box 1 or 2, path, what it reported).
    pub stats: Vec<(u8, String, FileStat)>,
    /// What the first box found at the lesson's paths, last time it looked.
    pub seen: Vec<(String, Option<FileStat>)>,
    /// The file the second box wrote.
    pub second_wrote: Option<String>,
}

/// The layers row of both panes: the upper directories as the host lists them, and the lesson's
/// paths as the box finds them in its merged view.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LayersSample {
    /// Entries in the lower layers: (base, app); None before the image is made.
    pub image: Option<(usize, usize)>,
    /// Each box's upper directory, the newest box first: (box, leaf entries relative to it).
    pub uppers: Vec<(u8, Vec<(String, FileStat)>)>,
    /// The lower layers compared with their fingerprint at `make_image`.
    pub untouched: Option<bool>,
    /// The box's view of the lesson's paths; None until its root is the overlay.
    pub seen: Option<Vec<(String, Option<FileStat>)>>,
    /// Each path a box stat'ed.
    pub inodes: Vec<Inodes>,
}

/// One path as the host finds it in the topmost lower layer, and as each box's lstat(2)
/// reported it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inodes {
    pub path: String,
    pub lower: Option<FileStat>,
    pub by: Vec<(u8, FileStat)>,
}

/// The images lesson's side of one session: removed with the box.
pub struct Layers {
    rootfs: PathBuf,
    made: Option<PathBuf>,
    second: Option<BoxAgent>,
}

impl Layers {
    pub fn new(rootfs: &Path) -> Layers {
        Layers {
            rootfs: rootfs.to_path_buf(),
            made: None,
            second: None,
        }
    }

    /// Ends the second box, then removes the scratch directory (the first box is gone by then:
    /// the session ends it first).
    pub fn end(&mut self) {
        self.second = None;
        if let Some(dir) = self.made.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }

    /// The scratch directory: beside the root filesystem, unless that is on overlayfs (boxlab
    /// inside Docker), where no upper directory can live: then /dev/shm, a tmpfs.
    fn place(&self, ledger: &Ledger) -> (PathBuf, Option<Detail>) {
        let name = format!("layers-{}", ledger.id());
        let beside = self.rootfs.parent().unwrap_or(&self.rootfs).to_path_buf();
        if !crate::probe::is_overlayfs(&beside) {
            return (beside.join(name), None);
        }
        let beside = beside.display();
        let note = detail!(
            "{beside} is on overlayfs, which cannot hold an upper directory: the upper and work directories go to /dev/shm",
            "{beside}는 overlayfs 위에 있어 upper 디렉터리를 둘 수 없습니다: upper와 work 디렉터리는 /dev/shm에 둡니다"
        );
        (PathBuf::from("/dev/shm").join(name), Some(note))
    }

    /// mkdir(2) and write(2) on the host: the app layer and the first box's directories.
    pub fn make_image(
        &mut self,
        ledger: &Ledger,
        facts: &mut LayerFacts,
        outputs: &mut Vec<CommandOutput>,
    ) -> Result<(), String> {
        if self.made.is_some() {
            return Err("the image is made already".into());
        }
        let (dir, note) = self.place(ledger);
        ledger.add_tree(&dir);
        self.made = Some(dir.clone());
        let image = Image {
            base: self.rootfs.clone(),
            app: dir.join("app"),
            dir,
        };
        let e = |e: crate::kernel::KernelError| e.to_string();
        root::mkdir(&image.dir).map_err(e)?;
        root::mkdir(&image.app).map_err(e)?;
        for d in ["app", "etc"] {
            root::mkdir(&image.app.join(d)).map_err(e)?;
        }
        for (path, text) in APP_FILES {
            files::write_text(&image.app.join(path), text, false).map_err(e)?;
        }
        make_box_dirs(&image, 1)?;
        let fingerprint = fingerprint(&image);
        // Named as overlayfs's mount options name them, lower layers top first.
        let [app, base] = image.lowers().map(Path::display);
        let box1 = image.box_dir(1);
        let box1 = box1.display();
        let stdout = format!(
            "lowerdir  {app}\n          {base}\nupperdir  {box1}/upper\nworkdir   {box1}/work\nmerged    {box1}/merged\n"
        );
        if let Some(note) = note {
            crate::kernel::adopt_records(vec![SyscallRecord::note_only(note)]);
        }
        outputs.push(CommandOutput {
            heading: Heading::Made(detail!("(image layers)", "(이미지 레이어)")),
            status: Some(0),
            stdout,
            stderr: String::new(),
        });
        facts.fingerprint = Some(fingerprint);
        facts.image = Some(image);
        Ok(())
    }

    /// A second agent on the same image: its own mount namespace, upper and work directories.
    /// Its calls are shown as "box 2: ...".
    pub fn second_box(
        &mut self,
        ledger: &Ledger,
        (stat, write): (&str, &str),
        records: &mut Vec<SyscallRecord>,
        facts: &mut LayerFacts,
    ) -> Result<(), String> {
        let image = facts
            .image
            .clone()
            .ok_or("no image yet: make_image first")?;
        if self.second.is_some() {
            return Err("the second box is running already".into());
        }
        let (mut agent, spawned) =
            BoxAgent::spawn(&image.base, ledger).map_err(|e| format!("{e:#}"))?;
        records.extend(spawned.into_iter().map(SyscallRecord::on_host));
        let made = make_box_dirs(&image, 2);
        records.extend(
            crate::kernel::take_records()
                .into_iter()
                .map(SyscallRecord::on_host),
        );
        made?;
        let steps = [
            Action::Unshare {
                ns: vec![crate::kernel::namespaces::Namespace::Mount],
            },
            Action::MakeMountsPrivate,
            Action::OverlayRoot {
                layers: Some(image.overlay(2)),
                volume: None,
            },
            Action::StatFile { path: stat.into() },
            Action::WriteText {
                path: write.into(),
                text: "written by box 2\n".into(),
                append: false,
            },
        ];
        let result = steps.into_iter().try_for_each(|action| {
            let reply = agent
                .request(&Request::Perform(action), ledger)
                .map_err(|e| format!("{e:#}"))?;
            records.extend(reply.records.into_iter().map(|r| SyscallRecord {
                by: By::SecondBox,
                ..r
            }));
            if let Outcome::Stat { path, stat } = reply.outcome {
                facts.stats.push((2, path, stat));
            }
            reply.error.map_or(Ok(()), Err)
        });
        self.second = Some(agent);
        result?;
        facts.second_wrote = Some(write.into());
        Ok(())
    }

    /// The layers row now: the upper directories and the fingerprint, read on the host.
    pub fn sample(
        facts: &LayerFacts,
        seen: Option<Vec<(String, Option<FileStat>)>>,
    ) -> LayersSample {
        let Some(image) = &facts.image else {
            return LayersSample {
                seen,
                ..LayersSample::default()
            };
        };
        let now = fingerprint(image);
        let app = count_entries(&image.app);
        let uppers = [2u8, 1]
            .into_iter()
            .filter(|n| image.upper(*n).is_dir())
            .map(|n| (n, leaves(&image.upper(n))))
            .collect();
        // A path the box lacks is shown only when a lower layer has it (hidden by a whiteout).
        let seen = seen.map(|seen| {
            seen.into_iter()
                .filter(|(p, st)| {
                    st.is_some()
                        || image
                            .lowers()
                            .iter()
                            .any(|l| files::peek(&Image::inside(l, p)).is_some())
                })
                .collect()
        });
        let mut inodes: Vec<Inodes> = Vec::new();
        for (n, path, st) in &facts.stats {
            match inodes.iter_mut().find(|i| &i.path == path) {
                Some(i) => i.by.push((*n, *st)),
                None => inodes.push(Inodes {
                    path: path.clone(),
                    lower: image
                        .lowers()
                        .iter()
                        .find_map(|l| files::peek(&Image::inside(l, path))),
                    by: vec![(*n, *st)],
                }),
            }
        }
        LayersSample {
            image: Some((now.1.saturating_sub(app), app)),
            uppers,
            untouched: facts.fingerprint.map(|f| f == now),
            seen,
            inodes,
        }
    }
}

fn make_box_dirs(image: &Image, n: u8) -> Result<(), String> {
    let dir = image.box_dir(n);
    for d in [
        dir.clone(),
        dir.join("upper"),
        dir.join("work"),
        dir.join("merged"),
    ] {
        root::mkdir(&d).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// A hash of every entry in the lower layers (path, inode, type and mode, size, mtime, ctime)
/// and how many there are: any change to a lower layer changes it. Names beginning with
/// `.boxlab-` at the base's top are skipped: the chroot lessons of other runs make and remove
/// such directories in the shared root filesystem.
pub fn fingerprint(image: &Image) -> (u64, usize) {
    let mut h = DefaultHasher::new();
    let mut count = 0;
    for layer in image.lowers() {
        walk(layer, &mut |rel, meta| {
            if layer == image.base && rel.starts_with(".boxlab-") {
                return false;
            }
            (
                rel,
                meta.ino(),
                meta.mode(),
                meta.size(),
                meta.mtime(),
                meta.mtime_nsec(),
                meta.ctime(),
                meta.ctime_nsec(),
            )
                .hash(&mut h);
            count += 1;
            true
        });
    }
    (h.finish(), count)
}

fn count_entries(dir: &Path) -> usize {
    let mut n = 0;
    walk(dir, &mut |_, _| {
        n += 1;
        true
    });
    n
}

/// Calls `f` with each entry under `dir` (path relative to it, not following symlinks), parents
/// before children, sorted by name; `f` returns false to skip a directory's contents.
fn walk(dir: &Path, f: &mut dyn FnMut(&str, &std::fs::Metadata) -> bool) {
    fn go(dir: &Path, prefix: &str, f: &mut dyn FnMut(&str, &std::fs::Metadata) -> bool) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut names: Vec<_> = entries.flatten().map(|e| e.file_name()).collect();
        names.sort();
        for name in names {
            let rel = format!("{prefix}{}", name.to_string_lossy());
            let path = dir.join(&name);
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if f(&rel, &meta) && meta.is_dir() {
                go(&path, &format!("{rel}/"), f);
            }
        }
    }
    go(dir, "", f)
}

/// Files, devices and empty directories under an upper directory, as `ls -lR` would find them.
pub fn leaves(upper: &Path) -> Vec<(String, FileStat)> {
    let mut out = Vec::new();
    walk(upper, &mut |rel, meta| {
        let path = upper.join(rel);
        let empty_dir =
            meta.is_dir() && std::fs::read_dir(&path).is_ok_and(|mut d| d.next().is_none());
        if (!meta.is_dir() || empty_dir)
            && let Some(st) = files::peek(&path)
        {
            out.push((rel.to_string(), st));
        }
        true
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(dir: &Path) -> Image {
        Image {
            dir: dir.join("layers-1"),
            base: dir.join("rootfs-v1"),
            app: dir.join("layers-1/app"),
        }
    }

    #[test]
    fn overlay_paths_are_relative_to_the_box_directory() {
        let img = image(Path::new("/cache/boxlab"));
        let o = img.overlay(2);
        assert_eq!(o.dir, "/cache/boxlab/layers-1/box2");
        assert_eq!(o.lower, ["../app", "../../rootfs-v1"]);
        assert_eq!((o.upper.as_str(), o.work.as_str()), ("upper", "work"));
        // Not beside the base (in /dev/shm): the base keeps its absolute path.
        let far = Image {
            dir: PathBuf::from("/dev/shm/layers-1"),
            app: PathBuf::from("/dev/shm/layers-1/app"),
            ..img
        };
        assert_eq!(far.overlay(1).lower, ["../app", "/cache/boxlab/rootfs-v1"]);
    }

    #[test]
    fn volume_files_are_plain_names_in_the_volume() {
        let img = image(Path::new("/cache/boxlab"));
        assert_eq!(
            img.volume_file("from-box.txt"),
            Ok(PathBuf::from("/cache/boxlab/layers-1/volume/from-box.txt"))
        );
        for bad in ["", ".", "..", "../app/x", "/etc/passwd", "a/b"] {
            assert!(img.volume_file(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn fingerprint_sees_changes_but_not_escape_directories() {
        let dir = std::env::temp_dir().join(format!("boxlab-fp-{}", std::process::id()));
        let img = image(&dir);
        std::fs::create_dir_all(img.base.join("etc")).unwrap();
        std::fs::create_dir_all(&img.app).unwrap();
        std::fs::write(img.base.join("etc/passwd"), "root\n").unwrap();
        let before = fingerprint(&img);
        std::fs::create_dir(img.base.join(".boxlab-escape-x")).unwrap();
        assert_eq!(fingerprint(&img).0, before.0);
        std::fs::write(img.base.join("etc/passwd"), "root\napp\n").unwrap();
        assert_ne!(fingerprint(&img).0, before.0);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn whiteouts_and_files_read_as_ls_shows_them() {
        use crate::lesson::layer_checks::kind;
        let st = |kind, size, rdev| FileStat {
            dev: (0, 1),
            ino: 5,
            kind,
            size,
            rdev,
        };
        assert!(st('c', 0, (0, 0)).is_whiteout());
        assert!(!st('c', 0, (1, 3)).is_whiteout());
        assert_eq!(kind(&st('c', 0, (0, 0))), "c 0,0");
        assert_eq!(kind(&st('-', 25, (0, 0))), "25B");
    }
}
