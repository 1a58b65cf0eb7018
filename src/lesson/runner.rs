//! The step runner: performs a lesson's steps for real, one at a time, and reports what each
//! did. The TUI, `boxlab transcript` and the integration tests all drive lessons through this.
//!
//! Steps run once, in order. Going back only re-reads an earlier report; `reset` ends the box
//! and starts the lesson clean.

use std::path::PathBuf;
use std::rc::Rc;

use std::time::Duration;

use super::checks::IpcFact;
use super::checks::{CheckResult, Evidence, Facts};
use super::docker;
use super::layers::{Layers, LayersSample};
use super::limits::IoFact;
use super::limits::{LimitSpec, Limits};
use super::network::BoxLink;
use super::publish::{self, Proxy};
use super::signals;
use super::types::Lesson;
use super::types::{Place, Row};
use crate::agent::BoxAgent;
use crate::agent::protocol::{Action, Outcome, Request};
use crate::kernel::cgroups::{Controller, Limit};
use crate::kernel::ipc::{self, IpcKind};
use crate::kernel::namespaces::Namespace;
use crate::kernel::process::{CommandOutput, Heading};
use crate::kernel::{self, SyscallRecord, net, users};
use crate::lang::detail;
use crate::ledger::Ledger;
use crate::probe::resources::{HostTotals, Sample};
use crate::probe::{Outside, View};
use crate::workload;

/// What one step did and what both sides saw afterwards.
#[derive(Clone, Debug)]
pub struct StepReport {
    pub index: usize,
    pub records: Vec<SyscallRecord>,
    pub outputs: Vec<CommandOutput>,
    /// Set when an action failed; later actions of the step were not performed.
    pub error: Option<String>,
    pub host: View,
    pub boxed: Option<View>,
    /// The box's pid as the host numbers it.
    pub box_pid: Option<i32>,
    /// The box as the host reads it through `/proc/BOXPID`.
    pub outside: Outside,
    pub checks: Vec<CheckResult>,
    /// The host's totals and the box's cgroup usage, for lessons that show resources.
    pub resources: Option<Sample>,
    /// Values for the `{name}` placeholders of commands to try (`box_pid`, `box_ip`...).
    pub vars: Vec<(&'static str, String)>,
    /// The image's layers on the host and the box's files, for lessons that show them.
    pub layers: Option<LayersSample>,
}

impl StepReport {
    /// A command to try with its placeholders filled in.
    pub fn fill(&self, cmd: &str) -> String {
        self.vars.iter().fold(cmd.to_string(), |c, (name, value)| {
            c.replace(&format!("{{{name}}}"), value)
        })
    }
}

impl StepReport {
    pub fn passed(&self) -> bool {
        self.error.is_none() && !self.checks.iter().any(CheckResult::failed)
    }
}

pub struct Session {
    lesson: Lesson,
    rootfs: PathBuf,
    ledger: Rc<Ledger>,
    agent: Option<BoxAgent>,
    facts: Facts,
    reports: Vec<StepReport>,
    /// The box's veth and the published port's proxy, ended with the box.
    link: Option<BoxLink>,
    proxy: Option<Proxy>,
    /// IPC objects made in the host's IPC namespace, removed when the lesson ends.
    host_ipc: Vec<(IpcKind, i32)>,
    /// The box's cgroup and the host's loads beside it; ended with the box.
    limits: Limits,
    /// The images lesson's layers and second box; ended with the box.
    layers: Layers,
    /// The paths the box looks at for the layers row (every path the lesson names).
    layer_paths: Vec<String>,
}

impl Session {
    pub fn new(lesson: Lesson, rootfs: PathBuf, ledger: Rc<Ledger>) -> Session {
        let limits = Limits::new(&rootfs, &ledger);
        let layers = Layers::new(&rootfs);
        let layer_paths = layer_paths(&lesson);
        Session {
            lesson,
            rootfs,
            ledger,
            agent: None,
            facts: Facts::default(),
            reports: Vec::new(),
            link: None,
            proxy: None,
            host_ipc: Vec::new(),
            limits,
            layers,
            layer_paths,
        }
    }

    pub fn lesson(&self) -> &Lesson {
        &self.lesson
    }

    pub fn reports(&self) -> &[StepReport] {
        &self.reports
    }

    pub fn finished(&self) -> bool {
        self.reports.len() == self.lesson.steps.len()
    }

    /// The box's pid as the host numbers it, while a box runs.
    pub fn box_pid(&self) -> Option<i32> {
        self.agent.as_ref().map(BoxAgent::pid)
    }

    /// Ends the box (every process of it) and forgets every step.
    pub fn reset(&mut self) {
        self.agent = None;
        // After the box: whatever of it is left (a child it forked, a shell's job) is ended here.
        self.limits.end();
        self.layers.end();
        self.proxy = None;
        self.link = None;
        // Objects in the host's IPC namespace outlive the box: remove them (gone already is fine).
        for (kind, key) in self.host_ipc.drain(..) {
            let _ = ipc::remove(kind, key);
        }
        let _ = kernel::take_records();
        self.facts = Facts::default();
        self.reports.clear();
    }

    /// Performs the next step; None when every step has run.
    pub fn perform_next(&mut self) -> Option<&StepReport> {
        let index = self.reports.len();
        let step = self.lesson.steps.get(index)?.clone();
        let mut records = Vec::new();
        let mut outputs = Vec::new();
        let mut boxed = None;
        let mut error = None;
        for action in &step.actions {
            match self.act(action, &mut records, &mut outputs) {
                // Only the last action's view is current: a host-side action after it (a
                // veth, an id map, a file in a volume) changes what the box would see.
                Ok(view) => boxed = view,
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
        if boxed.is_none() {
            boxed = self.probe_box().unwrap_or_else(|e| {
                error.get_or_insert(e);
                None
            });
        }
        let layers = self
            .lesson
            .rows(index)
            .contains(&Row::Layers)
            .then(|| self.layers_sample());
        let host = View::collect();
        let box_pid = self.box_pid();
        let outside = box_pid.map_or_else(Outside::none, Outside::read);
        let usage = self.limits.usage();
        let ev = Evidence {
            usage: usage.as_ref(),
            host: &host,
            boxed: boxed.as_ref(),
            box_pid,
            outside: &outside,
            facts: &self.facts,
        };
        let checks = step.checks.iter().map(|c| c.evaluate(&ev)).collect();
        let vars = self.vars();
        let resources = self
            .lesson
            .rows(index)
            .contains(&Row::Resources)
            .then(|| self.sample());
        self.reports.push(StepReport {
            index,
            records,
            outputs,
            error,
            host,
            boxed,
            box_pid,
            outside,
            checks,
            resources,
            vars,
            layers,
        });
        self.reports.last()
    }

    /// The host's totals and, once the box has its own cgroup, its usage: now.
    pub fn sample(&self) -> Sample {
        Sample {
            host: HostTotals::read(),
            boxed: self.limits.usage(),
        }
    }

    fn vars(&self) -> Vec<(&'static str, String)> {
        let mut vars = Vec::new();
        if let Some(pid) = self.box_pid() {
            vars.push(("box_pid", pid.to_string()));
        }
        if let Some(v) = &self.facts.veth {
            vars.extend([
                ("box_ip", v.box_ip.to_string()),
                ("host_ip", v.host_ip.to_string()),
                ("box_if", v.box_if.clone()),
                ("host_if", v.host_if.clone()),
            ]);
        }
        if let Some(dir) = self.facts.cgroup.dirs.first() {
            vars.push(("box_cgroup", dir.to_string_lossy().into_owned()));
        }
        for (c, dir) in self.limits.dirs_by_controller() {
            let name = match c {
                Controller::Memory => "memory_cgroup",
                Controller::Cpu => "cpu_cgroup",
                Controller::Pids => "pids_cgroup",
                Controller::Io => "io_cgroup",
            };
            vars.push((name, dir.to_string_lossy().into_owned()));
        }
        if let Some(port) = self.facts.host_port {
            vars.push(("host_port", port.to_string()));
        }
        if let Some(image) = &self.facts.layers.image {
            let s = |p: &std::path::Path| p.to_string_lossy().into_owned();
            vars.extend([
                ("upper", s(&image.upper(1))),
                ("upper2", s(&image.upper(2))),
                ("app_layer", s(&image.app)),
                ("base_layer", s(&image.base)),
                ("volume", s(&image.volume())),
            ]);
        }
        vars
    }

    /// Performs one action; returns the box's view when the action produced one.
    fn act(
        &mut self,
        action: &Action,
        records: &mut Vec<SyscallRecord>,
        outputs: &mut Vec<CommandOutput>,
    ) -> Result<Option<View>, String> {
        if let Action::Spawn = action {
            let (agent, spawned) =
                BoxAgent::spawn(&self.rootfs, &self.ledger).map_err(|e| format!("{e:#}"))?;
            self.agent = Some(agent);
            records.extend(spawned.into_iter().map(SyscallRecord::on_host));
            return Ok(None);
        }
        if let Action::ChrootEscape = action {
            // The escape makes a directory in the rootfs: listed so a crash cannot leave it.
            self.ledger.add_path(
                &self
                    .rootfs
                    .join(format!(".boxlab-escape-{}", self.ledger.id())),
            );
        }
        if let Some(done) = self.ipc_action(action, records) {
            return done;
        }
        if let Some(done) = self.host_network_action(action, records, outputs) {
            return done.map(|()| None);
        }
        if let Some(done) = self.cgroup_action(action, records, outputs) {
            return done;
        }
        if let Some(done) = self.docker_action(action, outputs) {
            return done.map(|()| None);
        }
        if let Some(done) = self.signals_action(action, records, outputs) {
            return done.map(|()| None);
        }
        if let Some(done) = self.layers_action(action, records, outputs) {
            return done;
        }
        if let Action::MapRoot = action {
            let pid = self.box_pid().ok_or("no box is running")?;
            let (uid, gid) = unprivileged_ids();
            let mapped = users::map_root(pid, uid, gid);
            records.extend(host_records());
            mapped.map_err(|e| e.to_string())?;
            return Ok(None);
        }
        let agent = self.agent.as_mut().ok_or("no box is running")?;
        let reply = agent
            .request(&Request::Perform(action.clone()), &self.ledger)
            .map_err(|e| format!("{e:#}"))?;
        records.extend(reply.records);
        match reply.outcome {
            Outcome::Output(out) => {
                outputs.push(out.clone());
                self.facts.last_output = Some(out);
            }
            Outcome::Escaped { root, .. } => self.facts.escaped_root = Some(root),
            Outcome::Orphan { pid } => self.facts.orphan = Some(pid),
            Outcome::Served {
                pid,
                creds,
                cgroups,
            } => {
                self.facts.service = Some(super::checks::Service {
                    pid,
                    creds,
                    cgroups,
                })
            }
            Outcome::Attempted { error } => self.facts.attempt = Some(error),
            Outcome::Pinged { result, .. } => self.facts.ping_from_box = Some(result),
            Outcome::MqFound { found } => self.facts.mq_seen_by_box = Some(found),
            Outcome::HogEnded { status, touched_mb } => {
                self.facts.cgroup.hog = Some((status, touched_mb))
            }
            Outcome::Bomb { forked, errno } => {
                self.facts.cgroup.bomb = Some((forked, errno));
                self.facts.cgroup.bomb_pids = self.limits.usage().and_then(|u| u.pids);
            }
            Outcome::Timed { micros } => {
                if let (Action::WriteFile { mb, .. }, Some(IoFact::Device { box_write, .. })) =
                    (action, &mut self.facts.cgroup.io)
                {
                    *box_write = Some((*mb, micros));
                }
            }
            Outcome::Reaped { .. } if matches!(action, Action::EndForkBomb) => {
                self.facts.cgroup.bomb_left = Some(self.limits.members_named("fork-bomb"));
            }
            Outcome::Reaped { pids } => self.facts.reaped = pids,
            Outcome::Stat { path, stat } => self.facts.layers.stats.push((1, path, stat)),
            Outcome::Forked { .. }
            | Outcome::Looked { .. }
            | Outcome::Started { .. }
            | Outcome::Nothing => {}
        }
        match reply.error {
            Some(e) => Err(e),
            None => Ok(reply.view),
        }
    }

    /// The IPC lesson's actions: the box's objects get this run's keys (and go in the ledger
    /// while the box shares the host's IPC namespace); the host's own are made here.
    /// None for every other action.
    fn ipc_action(
        &mut self,
        action: &Action,
        records: &mut Vec<SyscallRecord>,
    ) -> Option<Result<Option<View>, String>> {
        let key = |made_by_host: bool, kind: IpcKind| {
            (((self.ledger.tag() & 0x0fff_fff0) | 0x1000_0000) as i32)
                + 2 * made_by_host as i32
                + (kind == IpcKind::Msg) as i32
        };
        match action {
            Action::HostCreateIpc { kind } => {
                let key = key(true, *kind);
                self.ledger.add_ipc(*kind, key);
                self.host_ipc.push((*kind, key));
                let made = ipc::create(*kind, key);
                records.extend(host_records());
                self.facts.ipc.push(IpcFact {
                    kind: *kind,
                    key,
                    made_by: Place::Host,
                });
                Some(made.map(|_| None).map_err(|e| e.to_string()))
            }
            Action::CreateMq { name: None } => Some(self.act(
                &Action::CreateMq {
                    name: Some(self.mq_name()),
                },
                records,
                &mut Vec::new(),
            )),
            Action::LookForMq { name: None } => Some(self.act(
                &Action::LookForMq {
                    name: Some(self.mq_name()),
                },
                records,
                &mut Vec::new(),
            )),
            Action::HostLookForMq => {
                let found = ipc::mq_exists(&self.mq_name());
                records.extend(host_records());
                Some(
                    found
                        .map(|f| {
                            self.facts.mq_seen_by_host = Some(f);
                            None
                        })
                        .map_err(|e| e.to_string()),
                )
            }
            Action::CreateIpc { kind, key: None } | Action::RemoveIpc { kind, key: None } => {
                let key = key(false, *kind);
                let shares_host_ns = self.box_pid().map(Outside::read).is_some_and(|o| {
                    let host = crate::probe::namespaces_of("self");
                    o.namespaces
                        .ok()
                        .and_then(|m| m.get(&Namespace::Ipc).copied())
                        == host.ok().and_then(|m| m.get(&Namespace::Ipc).copied())
                });
                let filled = match action {
                    Action::CreateIpc { .. } => {
                        if shares_host_ns {
                            self.ledger.add_ipc(*kind, key);
                            self.host_ipc.push((*kind, key));
                        }
                        self.facts.ipc.push(IpcFact {
                            kind: *kind,
                            key,
                            made_by: Place::Box,
                        });
                        Action::CreateIpc {
                            kind: *kind,
                            key: Some(key),
                        }
                    }
                    _ => Action::RemoveIpc {
                        kind: *kind,
                        key: Some(key),
                    },
                };
                Some(self.act(&filled, records, &mut Vec::new()))
            }
            _ => None,
        }
    }

    /// The cgroup lessons' host-side actions, and the box-side ones that need something filled
    /// in or checked first; None for every other action.
    fn cgroup_action(
        &mut self,
        action: &Action,
        records: &mut Vec<SyscallRecord>,
        outputs: &mut Vec<CommandOutput>,
    ) -> Option<Result<Option<View>, String>> {
        let facts = &mut self.facts.cgroup;
        let result = match action {
            Action::MakeCgroup => self.limits.make_cgroup(&self.ledger, facts),
            Action::MoveToCgroup => match self.agent.as_ref() {
                Some(agent) => self.limits.move_to_cgroup(agent.pid()),
                None => Err("no box is running".into()),
            },
            Action::ShowCgroupLayout => {
                let out = self.limits.show_layout(facts);
                outputs.push(out.clone());
                self.facts.last_output = Some(out);
                Ok(())
            }
            Action::Limit {
                memory,
                cpu_percent,
                cpu_weight,
                pids,
                io_write,
            } => {
                let spec = LimitSpec {
                    memory: memory.clone(),
                    cpu_percent: *cpu_percent,
                    cpu_weight: *cpu_weight,
                    pids: *pids,
                    io_write: io_write.clone(),
                };
                self.limits.limit(&spec, &self.ledger, facts)
            }
            Action::HostMemoryHog { mb } => {
                self.limits.host_memory_hog(*mb, facts);
                Ok(())
            }
            Action::HostBusy { seconds } => self.limits.host_busy(*seconds, &self.ledger),
            Action::MeasureCpu { seconds } => self.limits.measure_cpu(*seconds, facts),
            Action::Compete { weights, seconds } => {
                self.limits.compete(weights, *seconds, &self.ledger, facts)
            }
            Action::HostSpawn => {
                self.limits.host_spawn(facts);
                Ok(())
            }
            Action::HostWriteFile { mb } => self.limits.host_write_file(*mb, &self.ledger, facts),
            Action::CompareWork { rounds } => return Some(self.compare_work(*rounds, records)),
            Action::ForkBomb if !facts.limits.iter().any(|l| matches!(l, Limit::Pids(_))) => {
                Err("refusing: a fork bomb needs a pids limit on the box first".into())
            }
            Action::WriteFile { .. } if matches!(facts.io, Some(IoFact::NoDevice(_))) => {
                if let Some(IoFact::NoDevice(why)) = &facts.io {
                    super::limits::skipped(why);
                }
                Ok(())
            }
            Action::WriteFile { mb, dir: None } => {
                let dir = match self.limits.scratch_dir(&self.ledger) {
                    Ok(d) => d.to_string_lossy().into_owned(),
                    Err(e) => return Some(Err(e)),
                };
                let filled = Action::WriteFile {
                    mb: *mb,
                    dir: Some(dir),
                };
                return Some(self.act(&filled, records, outputs));
            }
            _ => return None,
        };
        records.extend(host_records());
        Some(result.map(|()| None))
    }

    /// The images lesson's host-side actions, and the box's overlay root with its paths filled
    /// in; None for every other action.
    fn layers_action(
        &mut self,
        action: &Action,
        records: &mut Vec<SyscallRecord>,
        outputs: &mut Vec<CommandOutput>,
    ) -> Option<Result<Option<View>, String>> {
        let facts = &mut self.facts.layers;
        let result = match action {
            Action::MakeImage => self.layers.make_image(&self.ledger, facts, outputs),
            Action::SecondBox { stat, write } => {
                let done = self
                    .layers
                    .second_box(&self.ledger, (stat, write), records, facts);
                records.extend(host_records());
                return Some(done.map(|()| None));
            }
            Action::OverlayRoot {
                layers: None,
                volume,
            } => {
                let Some(image) = &facts.image else {
                    return Some(Err("no image yet: make_image first".into()));
                };
                let mut layers = image.overlay(1);
                if volume.is_some() {
                    let dir = image.volume();
                    let made = crate::kernel::root::mkdir(&dir);
                    records.extend(host_records());
                    if let Err(e) = made {
                        return Some(Err(e.to_string()));
                    }
                    layers.volume = Some(dir.to_string_lossy().into_owned());
                }
                let filled = Action::OverlayRoot {
                    layers: Some(layers),
                    volume: volume.clone(),
                };
                let done = self.act(&filled, records, outputs);
                self.facts.layers.rooted = done.is_ok();
                return Some(done);
            }
            Action::HostWriteVolume { file, text } => facts
                .image
                .as_ref()
                .ok_or_else(|| "no image yet: make_image first".to_string())
                .and_then(|image| image.volume_file(file))
                .and_then(|path| {
                    crate::kernel::files::write_text(&path, text, false).map_err(|e| e.to_string())
                }),
            _ => return None,
        };
        records.extend(host_records());
        Some(result.map(|()| None))
    }

    /// The layers row: the host reads the upper directories; the box, once its root is the
    /// overlay, looks at the lesson's paths in its merged view (lstat, not recorded).
    fn layers_sample(&mut self) -> LayersSample {
        let seen = if self.facts.layers.rooted {
            let paths = self.layer_paths.clone();
            self.agent
                .as_mut()
                .and_then(|a| a.request(&Request::Look { paths }, &self.ledger).ok())
                .and_then(|r| match r.outcome {
                    Outcome::Looked { seen } => Some(seen),
                    _ => None,
                })
        } else {
            None
        };
        if let Some(seen) = &seen {
            self.facts.layers.seen = seen.clone();
        }
        Layers::sample(&self.facts.layers, seen)
    }

    /// The "what Docker adds" lesson's host-side actions; None for every other action.
    fn docker_action(
        &mut self,
        action: &Action,
        outputs: &mut Vec<CommandOutput>,
    ) -> Option<Result<(), String>> {
        let out = match action {
            Action::ExportOciBundle { argv } => {
                match docker::export(&self.rootfs, argv, &self.ledger) {
                    Ok(out) => out,
                    Err(e) => return Some(Err(e)),
                }
            }
            Action::RuntimeRun => {
                let ran = docker::run_bundle(&self.ledger);
                self.facts.runtime = Some(ran.clone());
                match ran {
                    docker::RuntimeRun::Ran(_, out) => out,
                    // Nothing ran, so nothing is shown as run: the check says why, and the fix.
                    docker::RuntimeRun::NoRuntime => return Some(Ok(())),
                }
            }
            Action::DockerCommand => match docker::docker_command(&self.ledger) {
                Ok(out) => out,
                Err(e) => return Some(Err(e)),
            },
            _ => return None,
        };
        outputs.push(out.clone());
        self.facts.last_output = Some(out);
        Some(Ok(()))
    }

    /// The signal actions of the full-container lesson, made on the host side; None for every
    /// other action.
    fn signals_action(
        &mut self,
        action: &Action,
        records: &mut Vec<SyscallRecord>,
        outputs: &mut Vec<CommandOutput>,
    ) -> Option<Result<(), String>> {
        match action {
            Action::TermBox => {
                let Some(pid) = self.box_pid() else {
                    return Some(Err("no box is running".into()));
                };
                let survived = signals::term_box(pid);
                records.extend(host_records());
                Some(
                    survived
                        .map(|alive| self.facts.box_after_term = Some(alive))
                        .map_err(|e| e.to_string()),
                )
            }
            Action::StopContainer { argv } => {
                let stopped = signals::stop_container(&self.rootfs, argv, &self.ledger, records);
                Some(stopped.map(|out| {
                    outputs.push(out.clone());
                    self.facts.last_output = Some(out);
                }))
            }
            _ => None,
        }
    }

    /// The same work timed on the host and in the box, five times each in turn, both on the
    /// same CPU (the last this process may use: the first often takes the most interrupts);
    /// the fastest of each counts (a first run may pay for page faults and a cold cache).
    fn compare_work(
        &mut self,
        rounds: u64,
        records: &mut Vec<SyscallRecord>,
    ) -> Result<Option<View>, String> {
        let cpu = kernel::process::allowed_cpus().last().copied().unwrap_or(0);
        let mut host = u64::MAX;
        let mut boxed = u64::MAX;
        let mut view = None;
        // Other work on the machine can only slow a run down (even in CPU time: an interrupt
        // served on the thread's CPU, a hypervisor's steal), so the fastest of five on each
        // side counts. Unpinned, the fastest of five were 17% apart on a busy VM, and 29% in
        // the emulated cgroup v2 VM, both times the host's slower (workload::work says why).
        for _ in 0..5 {
            let took = self.limits.host_work(rounds, cpu)?;
            host = host.min(took);
            records.extend(
                host_records()
                    .into_iter()
                    .map(|r| r.noted(workload::work_note(took))),
            );
            let agent = self.agent.as_mut().ok_or("no box is running")?;
            let reply = agent
                .request(
                    &Request::Perform(Action::Work { rounds, cpu }),
                    &self.ledger,
                )
                .map_err(|e| format!("{e:#}"))?;
            records.extend(reply.records);
            if let Some(e) = reply.error {
                return Err(e);
            }
            if let Outcome::Timed { micros } = reply.outcome {
                boxed = boxed.min(micros);
            }
            view = reply.view;
        }
        self.facts.cgroup.work = Some((host, boxed));
        Ok(view)
    }

    /// The lesson's POSIX message queue: a name unique to this run.
    fn mq_name(&self) -> String {
        format!("/boxlab-{:08x}", self.ledger.tag())
    }

    /// The network lesson's host-side actions; None for every other action.
    fn host_network_action(
        &mut self,
        action: &Action,
        records: &mut Vec<SyscallRecord>,
        outputs: &mut Vec<CommandOutput>,
    ) -> Option<Result<(), String>> {
        let result = match action {
            Action::Veth => self.connect_veth(records),
            Action::HostPing => {
                let veth = self.facts.veth.clone()?;
                let rtt = net::ping(veth.box_ip, Duration::from_secs(1))
                    .map(|d| d.as_micros() as u64)
                    .map_err(|e| e.to_string());
                records.extend(host_records());
                self.facts.ping_from_host = Some(rtt);
                Ok(())
            }
            Action::Publish { port } => self.publish(*port, records),
            Action::HostFetch => {
                let port = self.facts.host_port?;
                let reply = publish::fetch(port);
                let out = CommandOutput {
                    heading: Heading::Made(detail!(
                        "(GET http://127.0.0.1:{port}/ from the host)",
                        "(호스트에서 GET http://127.0.0.1:{port}/)"
                    )),
                    status: Some(if reply.is_ok() { 0 } else { 7 }),
                    stdout: reply.as_ref().cloned().unwrap_or_default(),
                    stderr: reply.err().map(|e| e.to_string()).unwrap_or_default(),
                };
                outputs.push(out.clone());
                self.facts.last_output = Some(out);
                Ok(())
            }
            _ => return None,
        };
        Some(result)
    }

    /// Host end of the veth here; the box addresses its own end.
    fn connect_veth(&mut self, records: &mut Vec<SyscallRecord>) -> Result<(), String> {
        let pid = self.box_pid().ok_or("no box is running")?;
        let host_net = crate::probe::net::collect().map_err(|e| e.en)?;
        let link = BoxLink::create(net::Netns::Of(pid), &host_net, &self.ledger);
        records.extend(host_records());
        let link = link?;
        let v = link.veth.clone();
        self.link = Some(link);
        self.facts.veth = Some(v.clone());
        let agent = self.agent.as_mut().ok_or("no box is running")?;
        let reply = agent
            .request(
                &Request::Perform(Action::AddressLink {
                    name: v.box_if,
                    addr: v.box_ip,
                    prefix: 30,
                }),
                &self.ledger,
            )
            .map_err(|e| format!("{e:#}"))?;
        records.extend(reply.records);
        reply.error.map_or(Ok(()), Err)
    }

    fn publish(&mut self, port: u16, records: &mut Vec<SyscallRecord>) -> Result<(), String> {
        let veth = self
            .facts
            .veth
            .clone()
            .ok_or("the box has no network link yet: veth first")?;
        let proxy =
            Proxy::start(veth.box_ip, port).map_err(|e| format!("starting the proxy: {e}"))?;
        let args = format!("127.0.0.1:{} → {}:{port}", proxy.host_port, veth.box_ip);
        records.push(
            SyscallRecord::ok("bind+listen", &args, "0".into())
                .noted(detail!(
                    "a proxy thread in boxlab",
                    "boxlab 안의 프록시 스레드"
                ))
                .on_host(),
        );
        self.facts.host_port = Some(proxy.host_port);
        self.proxy = Some(proxy);
        Ok(())
    }

    fn probe_box(&mut self) -> Result<Option<View>, String> {
        let Some(agent) = self.agent.as_mut() else {
            return Ok(None);
        };
        let reply = agent
            .request(&Request::Probe, &self.ledger)
            .map_err(|e| format!("{e:#}"))?;
        Ok(reply.view)
    }
}

/// The files the layers row follows: the app layer's, then every path the lesson's actions
/// name, in order, once each.
fn layer_paths(lesson: &Lesson) -> Vec<String> {
    let mut paths: Vec<String> = super::layers::APP_FILES
        .iter()
        .map(|(p, _)| format!("/{p}"))
        .collect();
    for action in lesson.steps.iter().flat_map(|s| &s.actions) {
        let path = match action {
            Action::WriteText { path, .. }
            | Action::RemoveFile { path }
            | Action::StatFile { path } => path,
            _ => continue,
        };
        if !paths.contains(path) {
            paths.push(path.clone());
        }
    }
    paths
}

/// The ids that the box's root maps to outside: boxlab's own when it is not root (the only
/// ones an unprivileged process may map), else 100000, the start of the range that
/// /etc/subuid usually gives the first rootless user.
fn unprivileged_ids() -> (u32, u32) {
    let (uid, gid) = (
        nix::unistd::geteuid().as_raw(),
        nix::unistd::getegid().as_raw(),
    );
    if uid == 0 {
        (100_000, 100_000)
    } else {
        (uid, gid)
    }
}

impl Drop for Session {
    /// The box, its link and its proxy end with the session.
    fn drop(&mut self) {
        self.reset();
    }
}

/// The calls this (the TUI's) thread just made, marked as the host side's.
fn host_records() -> Vec<SyscallRecord> {
    kernel::take_records()
        .into_iter()
        .map(SyscallRecord::on_host)
        .collect()
}
