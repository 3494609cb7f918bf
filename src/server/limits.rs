//! Per-client rate limits: a token bucket per client address, as middleware.
//!
//! The client is the connection's peer address or, when the peer is a trusted proxy
//! (`KAVOSH_TRUSTED_PROXIES`: addresses and CIDR ranges), the first address of
//! `X-Forwarded-For` that is not trusted, read from the right (the hops the trusted proxies
//! added). IPv6 clients are counted by their /64, the block one host is usually given.
//!
//! A client may send [`Quota::burst`] requests at once, then [`Quota::per_second`] a second;
//! past that it gets a 429 in the API's error shape with `Retry-After`. The defaults never
//! bite a person (a page load is about eight requests, typing in the search box one to two
//! per key press) but hold a script to a small share of the server. Requests with an admin
//! key are never limited (the operator's bulk writes and checks); anything else is, including
//! writes with a wrong key. Each limit keeps its own table of buckets: a route can be given a
//! tighter one ([`RateLimit::with_quota`]) on top of the server-wide one.
//!
//! Memory is bounded: a bucket that has refilled is forgotten (it is the same as a new one),
//! and past [`MAX_CLIENTS`] buckets the fullest are forgotten first.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rustc_hash::FxHashMap;

use super::auth::{Access, Keys};
use super::error::ApiError;

/// Default sustained requests a second from one client.
pub const DEFAULT_PER_SECOND: f64 = 10.0;
/// Default requests one client may send at once.
pub const DEFAULT_BURST: u32 = 100;
/// Most clients a limit keeps a bucket for (about 64 bytes each).
pub const MAX_CLIENTS: usize = 100_000;
/// How often refilled buckets are swept out of a limit's table.
const SWEEP_EVERY: Duration = Duration::from_secs(10);

/// How fast one client may send requests.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quota {
    /// Requests a second, sustained.
    pub per_second: f64,
    /// Requests at once, from a full bucket.
    pub burst: u32,
}

impl Default for Quota {
    fn default() -> Quota {
        Quota {
            per_second: DEFAULT_PER_SECOND,
            burst: DEFAULT_BURST,
        }
    }
}

impl Quota {
    /// Time between two requests once the burst is spent.
    fn interval(&self) -> Duration {
        Duration::from_secs_f64(1.0 / self.per_second)
    }
}

/// Token buckets by client, kept as the time each bucket will be full again (the generic cell
/// rate algorithm: one instant per client).
pub struct RateLimiter {
    quota: Quota,
    interval: Duration,
    /// Time a full bucket takes to empty: `burst` intervals.
    tolerance: Duration,
    table: Mutex<Table>,
}

struct Table {
    full_at: FxHashMap<IpAddr, Instant>,
    swept: Instant,
}

impl RateLimiter {
    pub fn new(quota: Quota) -> RateLimiter {
        assert!(
            quota.per_second > 0.0 && quota.burst > 0,
            "a quota takes at least one request"
        );
        let interval = quota.interval();
        RateLimiter {
            quota,
            interval,
            tolerance: interval * quota.burst,
            table: Mutex::new(Table {
                full_at: FxHashMap::default(),
                swept: Instant::now(),
            }),
        }
    }

    pub fn quota(&self) -> Quota {
        self.quota
    }

    /// Takes a token from `client`'s bucket at `now`, or says how long until there is one.
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        let mut table = self.table.lock().unwrap_or_else(|e| e.into_inner());
        if now.saturating_duration_since(table.swept) >= SWEEP_EVERY
            || table.full_at.len() >= MAX_CLIENTS
        {
            table.sweep(now);
        }
        let full_at = table.full_at.get(&client).copied().unwrap_or(now).max(now);
        let after = full_at + self.interval;
        let limit = now + self.tolerance;
        if after > limit {
            return Err(after - limit);
        }
        table.full_at.insert(client, after);
        Ok(())
    }

    /// Clients with a bucket that is not full.
    pub fn clients(&self) -> usize {
        self.table
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .full_at
            .len()
    }
}

impl Table {
    /// Forgets full buckets; when too many clients remain, the quarter nearest to full too.
    fn sweep(&mut self, now: Instant) {
        self.swept = now;
        self.full_at.retain(|_, full_at| *full_at > now);
        if self.full_at.len() >= MAX_CLIENTS {
            let mut times: Vec<Instant> = self.full_at.values().copied().collect();
            let cut = times.len() / 4;
            let (_, &mut threshold, _) = times.select_nth_unstable(cut);
            self.full_at.retain(|_, full_at| *full_at > threshold);
        }
    }
}

/// Addresses and CIDR ranges of the proxies whose `X-Forwarded-For` is believed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// Parses `10.0.0.0/8, 127.0.0.1, ::1, fd00::/8` (any of them separated by commas).
    pub fn parse<'a>(items: impl IntoIterator<Item = &'a str>) -> Result<TrustedProxies, String> {
        let mut ranges = Vec::new();
        for item in items.into_iter().flat_map(|s| s.split(',')) {
            let item = item.trim();
            if item.is_empty() {
                continue;
            }
            let bad = || {
                format!(
                    "bad trusted proxy {item:?}: expected an address or a CIDR range like 10.0.0.0/8"
                )
            };
            let (address, bits) = match item.split_once('/') {
                Some((a, b)) => (a, Some(b.parse::<u8>().map_err(|_| bad())?)),
                None => (item, None),
            };
            let address = address.parse::<IpAddr>().map_err(|_| bad())?.to_canonical();
            let width = if address.is_ipv4() { 32 } else { 128 };
            let bits = bits.unwrap_or(width);
            if bits > width {
                return Err(bad());
            }
            ranges.push((address, bits));
        }
        Ok(TrustedProxies(ranges))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        self.0.iter().any(|&(range, bits)| match (range, address) {
            (IpAddr::V4(r), IpAddr::V4(a)) => {
                prefix(u32::from(r).into(), 32, bits) == prefix(u32::from(a).into(), 32, bits)
            }
            (IpAddr::V6(r), IpAddr::V6(a)) => {
                prefix(u128::from(r), 128, bits) == prefix(u128::from(a), 128, bits)
            }
            _ => false,
        })
    }

    /// The client a request comes from: `peer`, or when `peer` is trusted, the first
    /// untrusted address of `X-Forwarded-For` from the right (all trusted: the leftmost).
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.contains(client) {
            return client;
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        for hop in hops.iter().rev() {
            let Some(address) = forwarded_address(hop) else {
                // Not an address: the trusted hop after it is the nearest known client.
                break;
            };
            client = address;
            if !self.contains(address) {
                break;
            }
        }
        client
    }
}

/// The top `bits` of a `width`-bit address.
fn prefix(address: u128, width: u32, bits: u8) -> u128 {
    match u32::from(bits) {
        0 => 0,
        b => address >> (width - b.min(width)),
    }
}

/// An address of `X-Forwarded-For`: `192.0.2.7`, `2001:db8::1`, or with a port
/// (`192.0.2.7:5100`, `[2001:db8::1]:443`).
fn forwarded_address(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|a| a.to_canonical())
}

/// The bucket a client address is counted in: IPv4 addresses alone, IPv6 by their /64.
pub fn bucket_key(client: IpAddr) -> IpAddr {
    match client.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1))),
        v4 => v4,
    }
}

/// A rate limit as middleware state: its buckets, and how clients are told apart.
#[derive(Clone)]
pub struct RateLimit {
    limiter: Arc<RateLimiter>,
    proxies: Arc<TrustedProxies>,
    keys: Keys,
}

impl RateLimit {
    pub fn new(quota: Quota, proxies: TrustedProxies, keys: Keys) -> RateLimit {
        RateLimit {
            limiter: Arc::new(RateLimiter::new(quota)),
            proxies: Arc::new(proxies),
            keys,
        }
    }

    /// A limit with buckets of its own for one route (e.g. a tight one for a route that
    /// browsers call on their own), telling clients apart as this one does:
    /// `.route_layer(axum::middleware::from_fn_with_state(limit.with_quota(q), limits::rate_limit))`.
    pub fn with_quota(&self, quota: Quota) -> RateLimit {
        RateLimit {
            limiter: Arc::new(RateLimiter::new(quota)),
            ..self.clone()
        }
    }

    pub fn limiter(&self) -> &RateLimiter {
        &self.limiter
    }
}

/// Middleware: answers 429 with `Retry-After` to a client over its quota. A request without
/// a peer address (not served by [`super::listener`]) is not limited.
pub async fn rate_limit(State(limit): State<RateLimit>, request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let Some(peer) = peer else {
        return next.run(request).await;
    };
    if limit.keys.access(request.headers()) == Access::Admin {
        return next.run(request).await;
    }
    warn_of_untrusted_proxy(&limit.proxies, peer, request.headers());
    let client = limit.proxies.client(peer, request.headers());
    match limit.limiter.check(bucket_key(client), Instant::now()) {
        Ok(()) => next.run(request).await,
        Err(wait) => too_many(client, limit.limiter.quota(), wait),
    }
}

fn too_many(client: IpAddr, quota: Quota, wait: Duration) -> Response {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let seconds = seconds.max(1);
    tracing::debug!(%client, retry_after = seconds, "rate limited");
    let mut response = ApiError::too_many_requests(format!(
        "too many requests from {client}: this server takes {} a second from one client, \
         in bursts of up to {}; retry after {seconds} s",
        quota.per_second, quota.burst
    ))
    .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

/// Warns once when requests arrive through a proxy on this host that is not trusted: every
/// client then shares the proxy's bucket.
fn warn_of_untrusted_proxy(proxies: &TrustedProxies, peer: IpAddr, headers: &HeaderMap) {
    static WARNED: AtomicBool = AtomicBool::new(false);
    if peer.is_loopback()
        && !proxies.contains(peer)
        && headers.contains_key("x-forwarded-for")
        && !WARNED.swap(true, Ordering::Relaxed)
    {
        tracing::warn!(
            %peer,
            "requests come through a proxy that is not trusted: all its clients share one rate \
             limit; set KAVOSH_TRUSTED_PROXIES (e.g. 127.0.0.1) to tell them apart"
        );
    }
}

/// The limits `kavosh serve` takes from its flags and environment.
#[derive(clap::Args, Clone, Debug)]
pub struct LimitArgs {
    /// Requests a second one client may send, sustained; 0 turns rate limiting off.
    #[arg(long, env = "KAVOSH_RATE_LIMIT", default_value_t = DEFAULT_PER_SECOND)]
    pub rate_limit: f64,
    /// Requests one client may send at once, before the sustained rate applies.
    #[arg(long, env = "KAVOSH_RATE_BURST", default_value_t = DEFAULT_BURST,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_burst: u32,
    /// Proxies whose X-Forwarded-For names the client: addresses and CIDR ranges,
    /// comma-separated (e.g. 127.0.0.1 for a proxy on this host).
    #[arg(long, env = "KAVOSH_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<String>,
    /// Connections served at once; more wait for a free slot.
    #[arg(long, env = "KAVOSH_MAX_CONNECTIONS", default_value_t = super::listener::DEFAULT_MAX_CONNECTIONS,
          value_parser = clap::builder::TypedValueParser::map(clap::value_parser!(u32).range(1..), |n| n as usize))]
    pub max_connections: usize,
    /// Seconds a request's head (request line and headers) may take to arrive.
    #[arg(long, env = "KAVOSH_HEADER_TIMEOUT", default_value_t = super::listener::DEFAULT_HEADER_TIMEOUT.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout: u64,
    /// Seconds a kept-alive connection may wait for its next request.
    #[arg(long, env = "KAVOSH_IDLE_TIMEOUT", default_value_t = super::listener::DEFAULT_IDLE_TIMEOUT.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..))]
    pub idle_timeout: u64,
}

impl LimitArgs {
    /// The server-wide rate limit, `None` when turned off.
    pub fn rate_limit(&self, keys: &Keys) -> Result<Option<RateLimit>, String> {
        if !(self.rate_limit.is_finite() && self.rate_limit >= 0.0) {
            return Err(format!(
                "bad rate limit {}: expected requests a second, 0 for none",
                self.rate_limit
            ));
        }
        let proxies = TrustedProxies::parse(self.trusted_proxies.iter().map(String::as_str))?;
        Ok((self.rate_limit > 0.0).then(|| {
            let quota = Quota {
                per_second: self.rate_limit,
                burst: self.rate_burst,
            };
            RateLimit::new(quota, proxies, keys.clone())
        }))
    }

    pub fn connection_limits(&self) -> super::listener::ConnectionLimits {
        super::listener::ConnectionLimits {
            header_timeout: Duration::from_secs(self.header_timeout),
            idle_timeout: Duration::from_secs(self.idle_timeout),
            max_connections: self.max_connections,
        }
    }
}

/// Adds to the API's description what the guards may answer on every route: 429 (the rate
/// limit), 401 (read keys, when set), and on writes 507 and 503 (a full or read-only disk),
/// with the `read_key` security scheme. The page's files are left as they are.
pub fn describe(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
    use utoipa::openapi::{ContentBuilder, Ref, Response, ResponseBuilder};
    let error = |description: &str| -> Response {
        let body = ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("ErrorBody")))
            .build();
        ResponseBuilder::new()
            .description(description)
            .content("application/json", body)
            .build()
    };
    for (path, item) in doc.paths.paths.iter_mut() {
        if super::assets::ASSETS.iter().any(|a| a.path == path) {
            continue;
        }
        let operations = [
            (false, &mut item.get),
            (true, &mut item.post),
            (true, &mut item.put),
            (true, &mut item.delete),
        ];
        for (posts, operation) in operations {
            let Some(operation) = operation else {
                continue;
            };
            let write = posts && path.starts_with("/documents");
            let responses = &mut operation.responses.responses;
            let mut add = |status: &str, description: &str| {
                responses
                    .entry(status.to_string())
                    .or_insert_with(|| error(description).into());
            };
            add(
                "429",
                "Over the client's rate limit (KAVOSH_RATE_LIMIT a second, bursts of \
                 KAVOSH_RATE_BURST); Retry-After says when to try again. Requests with an admin \
                 key are not limited.",
            );
            if path != "/health" && !write {
                add(
                    "401",
                    "Only when read keys are set (KAVOSH_READ_KEY): a missing or wrong key",
                );
            }
            if write {
                add(
                    "507",
                    "The server's disk is full: not committed; earlier writes are safe",
                );
                add(
                    "503",
                    "The server's disk is read-only: not committed; earlier writes are safe",
                );
            }
        }
    }
    doc.components
        .get_or_insert_with(Default::default)
        .add_security_scheme(
            "read_key",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_burst_then_the_sustained_rate() {
        let limiter = RateLimiter::new(Quota {
            per_second: 10.0,
            burst: 5,
        });
        let (a, b) = (ip("192.0.2.1"), ip("192.0.2.2"));
        let t0 = Instant::now();
        for _ in 0..5 {
            assert_eq!(limiter.check(a, t0), Ok(()));
        }
        let wait = limiter.check(a, t0).unwrap_err();
        assert_eq!(wait, Duration::from_millis(100));
        assert_eq!(
            limiter.check(b, t0),
            Ok(()),
            "another client has its own bucket"
        );
        // One token every 100 ms.
        assert_eq!(limiter.check(a, t0 + Duration::from_millis(100)), Ok(()));
        assert!(limiter.check(a, t0 + Duration::from_millis(150)).is_err());
        assert_eq!(limiter.check(a, t0 + Duration::from_millis(200)), Ok(()));
        // Idle for the whole bucket's time: full again, five at once.
        let later = t0 + Duration::from_millis(800);
        for _ in 0..5 {
            assert_eq!(limiter.check(a, later), Ok(()));
        }
        assert!(limiter.check(a, later).is_err());
    }

    #[test]
    fn a_person_typing_is_never_limited_a_script_is() {
        let limiter = RateLimiter::new(Quota::default());
        let person = ip("192.0.2.10");
        let t0 = Instant::now();
        // A page load (the page, its files, taxonomy, a search), then «تفاهم‌نامه همکاری
        // پژوهشی» typed at 12 keys a second with a suggestion and a search per key press,
        // four times over with a pause to read the results.
        for i in 0..8 {
            assert!(
                limiter
                    .check(person, t0 + Duration::from_millis(i * 5))
                    .is_ok()
            );
        }
        let mut now = t0 + Duration::from_secs(1);
        for _ in 0..4 {
            for _ in "تفاهم‌نامه همکاری پژوهشی".chars() {
                now += Duration::from_millis(83);
                assert!(limiter.check(person, now).is_ok());
                assert!(limiter.check(person, now).is_ok());
            }
            now += Duration::from_secs(5);
        }
        // A script sending as fast as it gets replies (1 ms each) for 10 s is held to the rate.
        let script = ip("192.0.2.20");
        let (mut served, mut now) = (0, t0);
        for _ in 0..10_000 {
            now += Duration::from_millis(1);
            served += usize::from(limiter.check(script, now).is_ok());
        }
        let most = DEFAULT_BURST as usize + 10 * DEFAULT_PER_SECOND as usize;
        assert!((most - 1..=most + 1).contains(&served), "{served} served");
    }

    #[test]
    fn memory_is_bounded() {
        let limiter = RateLimiter::new(Quota {
            per_second: 1.0,
            burst: 2,
        });
        let t0 = Instant::now();
        for i in 0..1000u32 {
            limiter.check(IpAddr::from(i.to_be_bytes()), t0).unwrap();
        }
        assert_eq!(limiter.clients(), 1000);
        // Refilled buckets are swept out.
        limiter.check(ip("192.0.2.1"), t0 + SWEEP_EVERY).unwrap();
        assert_eq!(limiter.clients(), 1);
        // A flood of addresses never holds more than MAX_CLIENTS buckets.
        let flood = RateLimiter::new(Quota {
            per_second: 0.001,
            burst: 10,
        });
        for i in 0..(MAX_CLIENTS as u32 + 5000) {
            flood.check(IpAddr::from(i.to_be_bytes()), t0).unwrap();
        }
        assert!(flood.clients() <= MAX_CLIENTS, "{}", flood.clients());
    }

    #[test]
    fn trusted_proxies_parse_addresses_and_ranges() {
        let p = TrustedProxies::parse(["127.0.0.1, 10.0.0.0/8", "fd00::/8", "::1"]).unwrap();
        for trusted in [
            "127.0.0.1",
            "10.200.3.4",
            "fd12::7",
            "::1",
            "::ffff:10.1.1.1",
        ] {
            assert!(p.contains(ip(trusted)), "{trusted}");
        }
        for other in ["127.0.0.2", "11.0.0.1", "fe80::1", "2001:db8::1"] {
            assert!(!p.contains(ip(other)), "{other}");
        }
        assert!(
            TrustedProxies::parse(["0.0.0.0/0"])
                .unwrap()
                .contains(ip("203.0.113.9"))
        );
        for bad in [
            "10.0.0.0/33",
            "localhost",
            "10.0.0/8",
            "::1/129",
            "1.2.3.4/x",
        ] {
            let e = TrustedProxies::parse([bad]).unwrap_err();
            assert!(e.contains(bad), "{e}");
        }
        assert!(TrustedProxies::parse(["", " , "]).unwrap().is_empty());
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn the_client_is_the_first_untrusted_forwarded_address() {
        let p = TrustedProxies::parse(["127.0.0.1", "10.0.0.0/8"]).unwrap();
        let proxy = ip("127.0.0.1");
        // A client's own X-Forwarded-For is appended to, never believed.
        let h = forwarded(&["6.6.6.6, 203.0.113.5, 10.0.0.2"]);
        assert_eq!(p.client(proxy, &h), ip("203.0.113.5"));
        assert_eq!(
            p.client(ip("198.51.100.1"), &h),
            ip("198.51.100.1"),
            "untrusted peer"
        );
        assert_eq!(p.client(proxy, &HeaderMap::new()), proxy);
        assert_eq!(
            p.client(proxy, &forwarded(&["203.0.113.5", "10.1.1.1"])),
            ip("203.0.113.5"),
            "several headers read as one list"
        );
        assert_eq!(
            p.client(proxy, &forwarded(&["10.0.0.9, 10.0.0.2"])),
            ip("10.0.0.9")
        );
        assert_eq!(
            p.client(proxy, &forwarded(&["[2001:db8::5]:4711, 198.51.100.7:80"])),
            ip("198.51.100.7")
        );
        assert_eq!(
            p.client(proxy, &forwarded(&["203.0.113.5, unknown, 10.0.0.2"])),
            ip("10.0.0.2"),
            "garbage stops the walk at the nearest trusted hop"
        );
        assert_eq!(
            p.client(ip("::ffff:127.0.0.1"), &forwarded(&["203.0.113.5"])),
            ip("203.0.113.5")
        );
    }

    #[test]
    fn ipv6_clients_share_their_64() {
        assert_eq!(bucket_key(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(bucket_key(ip("2001:db8:1:2:bbbb::9")), ip("2001:db8:1:2::"));
        assert_eq!(bucket_key(ip("192.0.2.7")), ip("192.0.2.7"));
        assert_eq!(bucket_key(ip("::ffff:192.0.2.7")), ip("192.0.2.7"));
    }
}
