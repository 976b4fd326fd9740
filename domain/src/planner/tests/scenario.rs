//! A deterministic scenario generator: a small LCG and random-but-repeatable
//! plan inputs, dense enough that blocks compete for time.

use chrono::{DateTime, Duration, Utc, Weekday};
use chrono_tz::Tz;
use uuid::Uuid;

use super::support::{at, hm, window};
use crate::planner::{Availability, Busy, PlanInput, PlanOptions, WorkItem, WorkKind};

/// A linear congruential generator (Knuth's MMIX constants): deterministic and
/// dependency-free, which is all a scenario generator needs.
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(1))
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// Uniform-enough in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = u64::try_from(hi - lo + 1).expect("non-empty range");
        lo + i64::try_from(self.next() % span).expect("small")
    }

    pub fn pick<T: Copy>(&mut self, options: &[T]) -> T {
        let i = usize::try_from(self.range(0, options.len() as i64 - 1)).expect("index");
        options[i]
    }

    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = usize::try_from(self.range(0, i as i64)).expect("index");
            v.swap(i, j);
        }
    }
}

/// A dense scenario: a week or two around the March 2027 DST changes, several
/// windows, up to 25 busy intervals and up to 8 items, half with deadlines.
/// Windows stay within 06:00–23:00 so no DST change falls inside one.
pub fn scenario(seed: u64) -> PlanInput {
    let mut rng = Lcg::new(seed);
    let tz = rng.pick(&[
        Tz::UTC,
        Tz::Europe__Berlin,
        Tz::America__New_York,
        Tz::Asia__Kathmandu,
    ]);
    let from = at("2027-03-06T00:00:00Z") + Duration::minutes(rng.range(0, 20 * 1440));
    let length = rng.range(3 * 1440, 10 * 1440);
    let to = from + Duration::minutes(length);
    let now = from + Duration::minutes(rng.range(-1440, 1440));
    let availability = (0..rng.range(0, 9))
        .map(|_| random_window(&mut rng))
        .collect();
    let busy = (0..rng.range(0, 25))
        .map(|_| {
            let start = from + Duration::minutes(rng.range(0, length) / 5 * 5);
            let end = start + Duration::minutes(rng.range(3, 36) * 5);
            Busy { start, end }
        })
        .collect();
    let work = (0..rng.range(1, 8))
        .map(|_| random_item(&mut rng, from, length))
        .collect();
    let options = PlanOptions {
        max_block_minutes: rng.pick(&[45, 60, 90, 120]),
        min_block_minutes: rng.pick(&[15, 25, 30]),
        break_minutes: rng.pick(&[0, 10, 15]),
        max_daily_minutes: rng.pick(&[120, 240, 360]),
        slot_granularity_minutes: rng.pick(&[5, 15, 30]),
    };
    PlanInput {
        from,
        to,
        now,
        tz,
        availability,
        busy,
        work,
        options,
    }
}

fn random_window(rng: &mut Lcg) -> Availability {
    use Weekday::{Fri, Mon, Sat, Sun, Thu, Tue, Wed};
    let start = rng.range(6, 20) * 60 + rng.pick(&[0, 10, 15, 30, 45]);
    let end = (start + rng.range(2, 16) * 15).min(23 * 60);
    let time = |m: i64| {
        hm(
            u32::try_from(m / 60).expect("hour"),
            u32::try_from(m % 60).expect("minute"),
        )
    };
    window(
        rng.pick(&[Mon, Tue, Wed, Thu, Fri, Sat, Sun]),
        time(start),
        time(end),
    )
}

fn random_item(rng: &mut Lcg, from: DateTime<Utc>, length: i64) -> WorkItem {
    let deadline =
        (rng.range(0, 9) < 6).then(|| from + Duration::minutes(rng.range(-720, length + 1440)));
    WorkItem {
        id: Uuid::from_u128(u128::from(rng.next()) << 64 | u128::from(rng.next())),
        kind: rng.pick(&[WorkKind::Task, WorkKind::CourseTopic, WorkKind::Goal]),
        title: format!("item {}", rng.next()),
        minutes: u32::try_from(rng.range(2, 80) * 5).expect("minutes"),
        deadline,
        priority: u8::try_from(rng.range(0, 3)).expect("priority"),
    }
}
