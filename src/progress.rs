//! Progress of long commands (`ingest`, and `crawl`, `restore` and `migrate` as they come), drawn
//! on stderr with indicatif when stderr is a terminal: items done, their rate, the share done
//! and the time left. Anywhere else (CI, pipes, cron) nothing is drawn and the command prints
//! only its summary.
//!
//! A long function takes a `&Progress` and reports as it goes: [`Progress::add_items`] for
//! each document or page done, and a total when it knows one, in items
//! ([`Progress::set_total_items`]) or, for input read as a stream, in bytes
//! ([`Progress::set_total_bytes`] with [`Progress::add_bytes`]: the share and the time left
//! come from the bytes, the count and rate from the items). Callers that show nothing pass
//! [`Progress::hidden`]; the counts are kept either way. Work that keeps its own count of
//! items done out of a total (on another thread, or without a `&Progress`) is shown with
//! [`Progress::follow`].

use std::fmt::Write;
use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use indicatif::{HumanCount, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// The progress of one command.
pub struct Progress {
    bar: ProgressBar,
    items: Arc<AtomicU64>,
    /// Whether the bar's position counts bytes of input ([`Progress::set_total_bytes`]) rather
    /// than items.
    by_bytes: AtomicBool,
    /// What the items are, plural: `documents`, `pages`.
    noun: &'static str,
}

impl Progress {
    /// A bar on stderr when stderr is a terminal, else hidden; the total is unknown until set.
    pub fn start(noun: &'static str) -> Progress {
        let target = if std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        Progress::on(noun, target)
    }

    /// Progress that draws nothing (tests, the server, library callers).
    pub fn hidden() -> Progress {
        Progress::on("items", ProgressDrawTarget::hidden())
    }

    /// Progress drawn on `target`.
    pub fn on(noun: &'static str, target: ProgressDrawTarget) -> Progress {
        let progress = Progress {
            bar: ProgressBar::with_draw_target(None, target),
            items: Arc::new(AtomicU64::new(0)),
            by_bytes: AtomicBool::new(false),
            noun,
        };
        progress.restyle("{spinner} {elapsed_precise}  {items} {noun}  {rate}  {msg}");
        progress
    }

    /// The total is `items` items: the bar shows items done of it.
    pub fn set_total_items(&self, items: u64) {
        self.restyle(
            "{elapsed_precise} [{bar:28}] {items}/{human_len} {noun}  {rate}  ETA {eta}  {msg}",
        );
        self.by_bytes.store(false, Ordering::Relaxed);
        self.bar.set_length(items);
        self.bar.set_position(self.items_done());
    }

    /// The total is `bytes` bytes of input: the bar shows the share read.
    pub fn set_total_bytes(&self, bytes: u64) {
        self.restyle(
            "{elapsed_precise} [{bar:28}] {percent:>3}%  {items} {noun}  {rate}  ETA {eta}  {msg}",
        );
        self.by_bytes.store(true, Ordering::Relaxed);
        self.bar.set_length(bytes);
        self.bar.set_position(0);
    }

    fn restyle(&self, template: &str) {
        let items = self.items.clone();
        let rate_items = self.items.clone();
        let style = ProgressStyle::with_template(&template.replace("{noun}", self.noun))
            .expect("the templates are valid")
            .progress_chars("=> ")
            .with_key("items", move |_: &ProgressState, w: &mut dyn Write| {
                let _ = write!(w, "{}", HumanCount(items.load(Ordering::Relaxed)));
            })
            .with_key("rate", move |s: &ProgressState, w: &mut dyn Write| {
                let seconds = s.elapsed().as_secs_f64();
                let done = rate_items.load(Ordering::Relaxed) as f64;
                if seconds > 0.0 {
                    let _ = write!(w, "{}/s", HumanCount((done / seconds).round() as u64));
                }
            });
        self.bar.set_style(style);
    }

    /// `n` more items done.
    pub fn add_items(&self, n: u64) {
        let done = self.items.fetch_add(n, Ordering::Relaxed) + n;
        if self.by_bytes.load(Ordering::Relaxed) {
            self.bar.tick();
        } else {
            self.bar.set_position(done);
        }
    }

    /// Sets the items done so far (work that counts them itself).
    pub fn set_items_done(&self, done: u64) {
        self.items.store(done, Ordering::Relaxed);
        if !self.by_bytes.load(Ordering::Relaxed) {
            self.bar.set_position(done);
        }
    }

    /// Shows work that counts on its own: `read` gives its `(done, total)` (a total of 0 is
    /// not known yet), read ten times a second on a thread of its own until
    /// [`Following::finish`]. A hidden bar starts no thread.
    pub fn follow(self, read: impl Fn() -> (u64, u64) + Send + 'static) -> Following {
        let progress = Arc::new(self);
        let stop = Arc::new(AtomicBool::new(false));
        let thread = (!progress.bar.is_hidden()).then(|| {
            let (progress, stop) = (progress.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut total = 0;
                loop {
                    // Read after seeing the stop: the last reading is the final count.
                    let stopping = stop.load(Ordering::Relaxed);
                    let (done, now_total) = read();
                    if now_total != total && now_total > 0 {
                        total = now_total;
                        progress.set_total_items(total);
                    }
                    progress.set_items_done(done);
                    if stopping {
                        return;
                    }
                    std::thread::sleep(FOLLOW_EVERY);
                }
            })
        });
        Following {
            progress,
            stop,
            thread,
        }
    }

    /// `n` more bytes of input read (with [`Progress::set_total_bytes`]).
    pub fn add_bytes(&self, n: u64) {
        self.bar.inc(n);
    }

    /// Bytes of input read so far (0 unless the total is in bytes).
    pub fn bytes_done(&self) -> u64 {
        if self.by_bytes.load(Ordering::Relaxed) {
            self.bar.position()
        } else {
            0
        }
    }

    /// Sets the bytes read so far (a file's end, whatever was read of it).
    pub fn set_bytes_done(&self, bytes: u64) {
        self.bar.set_position(bytes);
    }

    /// Items done so far.
    pub fn items_done(&self) -> u64 {
        self.items.load(Ordering::Relaxed)
    }

    /// What is being done now, shown after the figures (`committing`, `merging segments`).
    pub fn set_stage(&self, stage: &'static str) {
        self.bar.set_message(stage);
    }

    /// Removes the bar, leaving the terminal to the command's summary.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// How often [`Progress::follow`] reads the work's count.
const FOLLOW_EVERY: Duration = Duration::from_millis(100);

/// A bar following work that counts on its own ([`Progress::follow`]).
pub struct Following {
    progress: Arc<Progress>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Following {
    /// Reads the count a last time and removes the bar.
    pub fn finish(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.progress.finish();
    }
}

impl Drop for Following {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::Mutex;

    use indicatif::TermLike;

    use super::*;

    /// A terminal that keeps every line drawn on it (not the blanks that clear lines).
    #[derive(Clone, Debug, Default)]
    struct Screen(Arc<Mutex<Vec<String>>>);

    impl Screen {
        fn last(&self) -> String {
            self.0.lock().unwrap().last().cloned().unwrap_or_default()
        }
    }

    impl TermLike for Screen {
        fn width(&self) -> u16 {
            160
        }
        fn move_cursor_up(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> io::Result<()> {
            self.write_str(s)
        }
        fn write_str(&self, s: &str) -> io::Result<()> {
            if !s.trim().is_empty() {
                self.0.lock().unwrap().push(s.to_string());
            }
            Ok(())
        }
        fn clear_line(&self) -> io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> io::Result<()> {
            Ok(())
        }
    }

    fn on_screen(noun: &'static str) -> (Progress, Screen) {
        let screen = Screen::default();
        let target = ProgressDrawTarget::term_like(Box::new(screen.clone()));
        (Progress::on(noun, target), screen)
    }

    #[test]
    fn a_total_in_bytes_shows_documents_rate_share_and_time_left() {
        let (p, screen) = on_screen("documents");
        p.set_total_bytes(4_000);
        p.add_items(1_234);
        p.add_bytes(1_000);
        std::thread::sleep(std::time::Duration::from_millis(20));
        p.set_stage("committing");
        p.bar.force_draw();
        let line = screen.last();
        for part in [
            " 25%",
            "1,234 documents",
            "/s",
            "ETA",
            "committing",
            "[=======",
        ] {
            assert!(line.contains(part), "{part:?} in {line:?}");
        }
        assert_eq!((p.items_done(), p.bytes_done()), (1_234, 1_000));
        p.set_bytes_done(4_000);
        p.bar.force_draw();
        assert!(screen.last().contains("100%"), "{}", screen.last());
    }

    #[test]
    fn a_total_in_items_shows_items_of_the_total() {
        let (p, screen) = on_screen("pages");
        p.add_items(3);
        p.set_total_items(12);
        p.add_items(3);
        p.bar.force_draw();
        let line = screen.last();
        assert!(line.contains("6/12 pages"), "{line:?}");
        assert!(line.contains("ETA"), "{line:?}");
        assert_eq!(p.bytes_done(), 0);
    }

    #[test]
    fn following_work_that_counts_on_its_own() {
        let (p, screen) = on_screen("documents");
        let counts = Arc::new((AtomicU64::new(0), AtomicU64::new(0)));
        let read = counts.clone();
        let shown = p.follow(move || {
            (
                read.0.load(Ordering::Relaxed),
                read.1.load(Ordering::Relaxed),
            )
        });
        counts.1.store(200, Ordering::Relaxed);
        counts.0.store(50, Ordering::Relaxed);
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while !screen.last().contains("50/200 documents") {
            assert!(std::time::Instant::now() < deadline, "{}", screen.last());
            shown.progress.bar.force_draw();
            std::thread::sleep(Duration::from_millis(20));
        }
        counts.0.store(200, Ordering::Relaxed);
        let progress = shown.progress.clone();
        shown.finish();
        assert_eq!(progress.items_done(), 200, "a last reading at the end");
        assert!(progress.bar.is_finished());
    }

    #[test]
    fn without_a_total_a_count_and_hidden_progress_still_counts() {
        let (p, screen) = on_screen("pages");
        p.add_items(41);
        p.bar.force_draw();
        assert!(screen.last().contains("41 pages"), "{}", screen.last());
        let hidden = Progress::hidden();
        hidden.set_total_bytes(10);
        hidden.add_items(2);
        hidden.add_bytes(7);
        assert_eq!((hidden.items_done(), hidden.bytes_done()), (2, 7));
    }
}
