//! robots.txt: the rules of the group for our user agent (else `*`), `Crawl-delay` and the
//! sitemaps it names, read by texting_robots. A robots.txt that is absent (4xx) allows
//! everything; one that cannot be read (5xx, no answer) allows nothing, for now (the crawler
//! does not visit that host and says so).

use std::time::Duration;

use url::Url;

/// The longest `Crawl-delay` honoured (a site asking for more is crawled at this pace).
pub const MAX_CRAWL_DELAY: Duration = Duration::from_secs(60);
/// Longest robots.txt read (Google reads 500 KiB).
pub const MAX_ROBOTS_BYTES: usize = 512 * 1024;

/// A host's robots.txt.
pub enum Robots {
    AllowAll,
    Rules(Box<texting_robots::Robot>),
}

impl Robots {
    /// The rules of `body` for the user agent whose product token is `agent`. A robots.txt
    /// that cannot be parsed allows everything, as an absent one does.
    pub fn parse(agent: &str, body: &[u8]) -> Robots {
        match texting_robots::Robot::new(agent, body) {
            Ok(robot) => Robots::Rules(Box::new(robot)),
            Err(_) => Robots::AllowAll,
        }
    }

    pub fn allowed(&self, url: &Url) -> bool {
        match self {
            Robots::AllowAll => true,
            Robots::Rules(robot) => robot.allowed(url.as_str()),
        }
    }

    /// `Crawl-delay`, at most [`MAX_CRAWL_DELAY`].
    pub fn delay(&self) -> Option<Duration> {
        match self {
            Robots::Rules(robot) => robot
                .delay
                .filter(|d| d.is_finite() && *d > 0.0)
                .map(|d| Duration::from_secs_f32(d).min(MAX_CRAWL_DELAY)),
            Robots::AllowAll => None,
        }
    }

    pub fn sitemaps(&self) -> &[String] {
        match self {
            Robots::Rules(robot) => &robot.sitemaps,
            Robots::AllowAll => &[],
        }
    }
}

/// The product token of a User-Agent, which robots.txt groups name: `kavosh/0.1 (…)` → `kavosh`.
pub fn agent_token(user_agent: &str) -> &str {
    user_agent
        .split(|c: char| c == '/' || c.is_whitespace())
        .next()
        .unwrap_or(user_agent)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROBOTS: &str = "User-agent: *\nDisallow: /\n\n\
        User-agent: kavosh\nDisallow: /fa/private/\nAllow: /fa/private/open\nCrawl-delay: 0.5\n\n\
        Sitemap: https://mstp.ir/sitemap_index.xml\n";

    #[test]
    fn our_group_then_everyone_s() {
        let url = |s: &str| Url::parse(s).unwrap();
        let ours = Robots::parse(agent_token("kavosh/0.1.0 (site search)"), ROBOTS.as_bytes());
        assert!(ours.allowed(&url("https://mstp.ir/fa/news/1")));
        assert!(!ours.allowed(&url("https://mstp.ir/fa/private/report")));
        assert!(ours.allowed(&url("https://mstp.ir/fa/private/open")));
        assert_eq!(ours.delay(), Some(Duration::from_millis(500)));
        assert_eq!(ours.sitemaps(), ["https://mstp.ir/sitemap_index.xml"]);
        let others = Robots::parse("otherbot", ROBOTS.as_bytes());
        assert!(!others.allowed(&url("https://mstp.ir/fa/news/1")));
        let slow = Robots::parse("kavosh", b"User-agent: *\nCrawl-delay: 3600\n");
        assert_eq!(slow.delay(), Some(MAX_CRAWL_DELAY));
    }
}
