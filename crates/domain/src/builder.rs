//! The dashboard's schedule builder: the few shapes people schedule by (once, daily,
//! weekly on some days, monthly on a day or the Nth weekday, every N weeks) turned into an
//! RRULE, and an RRULE read back into those shapes when it has one. Anything else is a
//! raw RRULE. `static/admin.js` mirrors `to_rrule` for the live preview.

use chrono::NaiveDate;

use super::schedule::ONE_TIME;
use super::validate::FieldError;

pub const WEEKDAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Builder {
    /// `once`, `daily`, `weekly`, `monthly_day`, `monthly_nth` or `custom`.
    pub mode: String,
    /// Every N days / weeks / months.
    pub interval: u32,
    pub weekdays: Vec<String>,
    /// 1–31, or -1 for the last day.
    pub month_day: i32,
    /// 1–4, or -1 for the last.
    pub nth: i32,
    pub nth_weekday: String,
    /// Last local date with a window.
    pub until: Option<NaiveDate>,
    pub count: Option<u32>,
    pub raw: String,
}

impl Default for Builder {
    fn default() -> Self {
        Self {
            mode: "once".into(),
            interval: 1,
            weekdays: Vec::new(),
            month_day: 1,
            nth: 1,
            nth_weekday: "MO".into(),
            until: None,
            count: None,
            raw: String::new(),
        }
    }
}

impl Builder {
    pub fn to_rrule(&self) -> Result<String, FieldError> {
        let interval = if self.interval > 1 {
            format!(";INTERVAL={}", self.interval)
        } else {
            String::new()
        };
        if self.interval == 0 || self.interval > 1000 {
            return Err(FieldError::new("interval", "must be between 1 and 1000"));
        }
        let base = match self.mode.as_str() {
            "once" => return Ok(ONE_TIME.into()),
            "custom" => return Ok(self.raw.trim().to_string()),
            "daily" => format!("FREQ=DAILY{interval}"),
            "weekly" => {
                let days: Vec<&str> = WEEKDAYS
                    .iter()
                    .copied()
                    .filter(|d| self.weekdays.iter().any(|w| w == d))
                    .collect();
                if days.is_empty() {
                    return Err(FieldError::new("weekdays", "choose at least one day"));
                }
                format!("FREQ=WEEKLY{interval};BYDAY={}", days.join(","))
            }
            "monthly_day" => {
                if !(1..=31).contains(&self.month_day) && self.month_day != -1 {
                    return Err(FieldError::new("month_day", "must be a day 1-31, or last"));
                }
                format!("FREQ=MONTHLY{interval};BYMONTHDAY={}", self.month_day)
            }
            "monthly_nth" => {
                if !(1..=4).contains(&self.nth) && self.nth != -1 {
                    return Err(FieldError::new("nth", "must be first to fourth, or last"));
                }
                if !WEEKDAYS.contains(&self.nth_weekday.as_str()) {
                    return Err(FieldError::new("nth_weekday", "choose a weekday"));
                }
                format!("FREQ=MONTHLY{interval};BYDAY={}{}", self.nth, self.nth_weekday)
            }
            _ => return Err(FieldError::new("mode", "choose how often")),
        };
        match (self.until, self.count) {
            (Some(_), Some(_)) => Err(FieldError::new(
                "until",
                "give an end date or a number of times, not both",
            )),
            (Some(d), None) => Ok(format!("{base};UNTIL={}", d.format("%Y%m%d"))),
            (None, Some(0)) => Err(FieldError::new("count", "must be at least 1")),
            (None, Some(n)) => Ok(format!("{base};COUNT={n}")),
            (None, None) => Ok(base),
        }
    }

    /// The builder shape of a stored rule, or `custom` holding it raw.
    pub fn from_rrule(rule: &str) -> Self {
        let rule = rule.trim().to_ascii_uppercase();
        let custom = Self {
            mode: "custom".into(),
            raw: rule.clone(),
            ..Self::default()
        };
        if rule.is_empty() || rule == ONE_TIME {
            return Self::default();
        }
        let mut b = Self::default();
        let mut freq = "";
        for part in rule.split(';') {
            let Some((k, v)) = part.split_once('=') else {
                return custom;
            };
            match k {
                "FREQ" => freq = v,
                "INTERVAL" => match v.parse() {
                    Ok(n) => b.interval = n,
                    Err(_) => return custom,
                },
                "COUNT" => match v.parse() {
                    Ok(n) => b.count = Some(n),
                    Err(_) => return custom,
                },
                // A date only: an UNTIL with a time does not parse and stays custom.
                "UNTIL" => match NaiveDate::parse_from_str(v, "%Y%m%d") {
                    Ok(d) => b.until = Some(d),
                    Err(_) => return custom,
                },
                "BYDAY" => b.weekdays = v.split(',').map(str::to_string).collect(),
                "BYMONTHDAY" => match v.parse() {
                    Ok(n) => b.month_day = n,
                    Err(_) => return custom,
                },
                _ => return custom,
            }
        }
        b.mode = match freq {
            "DAILY" if b.weekdays.is_empty() && !rule.contains("BYMONTHDAY") => "daily",
            "WEEKLY" if !b.weekdays.is_empty() && b.weekdays.iter().all(|d| WEEKDAYS.contains(&d.as_str())) => "weekly",
            "MONTHLY" if rule.contains("BYMONTHDAY") && b.weekdays.is_empty() => "monthly_day",
            "MONTHLY" if b.weekdays.len() == 1 => {
                let d = &b.weekdays[0];
                let (n, day) = d.split_at(d.len().saturating_sub(2));
                match n.parse::<i32>() {
                    Ok(n) if (1..=4).contains(&n) || n == -1 => {
                        b.nth = n;
                        b.nth_weekday = day.to_string();
                        b.weekdays.clear();
                        "monthly_nth"
                    }
                    _ => return custom,
                }
            }
            _ => return custom,
        }
        .into();
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(mode: &str) -> Builder {
        Builder {
            mode: mode.into(),
            ..Builder::default()
        }
    }

    #[test]
    fn shapes_become_rules() {
        assert_eq!(b("once").to_rrule().unwrap(), "FREQ=MINUTELY;COUNT=1");
        assert_eq!(b("daily").to_rrule().unwrap(), "FREQ=DAILY");
        let weekly = Builder {
            weekdays: vec!["SU".into(), "MO".into()],
            interval: 2,
            ..b("weekly")
        };
        assert_eq!(weekly.to_rrule().unwrap(), "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,SU");
        let last_fri = Builder {
            nth: -1,
            nth_weekday: "FR".into(),
            ..b("monthly_nth")
        };
        assert_eq!(last_fri.to_rrule().unwrap(), "FREQ=MONTHLY;BYDAY=-1FR");
        let day = Builder {
            month_day: 15,
            count: Some(6),
            ..b("monthly_day")
        };
        assert_eq!(day.to_rrule().unwrap(), "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=6");
        let until = Builder {
            until: NaiveDate::from_ymd_opt(2026, 12, 31),
            ..b("daily")
        };
        assert_eq!(until.to_rrule().unwrap(), "FREQ=DAILY;UNTIL=20261231");
    }

    #[test]
    fn the_interval_is_between_1_and_1000() {
        let every = |interval| Builder { interval, ..b("daily") }.to_rrule();
        assert_eq!(every(0).unwrap_err().field, "interval");
        assert_eq!(every(1001).unwrap_err().field, "interval");
        assert_eq!(every(1000).unwrap(), "FREQ=DAILY;INTERVAL=1000");
        assert_eq!(every(1).unwrap(), "FREQ=DAILY");
    }

    #[test]
    fn month_days_and_nth_weekdays_are_bounded() {
        let on_day = |month_day| {
            Builder {
                month_day,
                ..b("monthly_day")
            }
            .to_rrule()
        };
        assert_eq!(on_day(-1).unwrap(), "FREQ=MONTHLY;BYMONTHDAY=-1");
        assert_eq!(on_day(31).unwrap(), "FREQ=MONTHLY;BYMONTHDAY=31");
        for bad in [0, 32, -2] {
            assert_eq!(on_day(bad).unwrap_err().field, "month_day", "{bad}");
        }
        let nth = |nth| {
            Builder {
                nth,
                nth_weekday: "TU".into(),
                ..b("monthly_nth")
            }
            .to_rrule()
        };
        assert_eq!(nth(2).unwrap(), "FREQ=MONTHLY;BYDAY=2TU");
        assert_eq!(nth(4).unwrap(), "FREQ=MONTHLY;BYDAY=4TU");
        for bad in [0, 5, -2] {
            assert_eq!(nth(bad).unwrap_err().field, "nth", "{bad}");
        }
        let no_day = Builder {
            nth_weekday: "XX".into(),
            ..b("monthly_nth")
        };
        assert_eq!(no_day.to_rrule().unwrap_err().field, "nth_weekday");
    }

    #[test]
    fn rules_the_builder_cannot_show_stay_raw() {
        for rule in [
            "FREQ=DAILY;UNTIL=20261231T235959Z",
            "FREQ=DAILY;BYDAY=MO",
            "FREQ=DAILY;BYMONTHDAY=1",
            "FREQ=WEEKLY",
            "FREQ=WEEKLY;BYDAY=MO,XX",
            "FREQ=MONTHLY;BYMONTHDAY=1;BYDAY=MO",
            "FREQ=MONTHLY;BYDAY=MO,TU",
            "FREQ=MONTHLY;BYDAY=1MO,2TU",
            "FREQ=MONTHLY;BYDAY=5MO",
            "FREQ=MONTHLY;BYDAY=0MO",
        ] {
            let built = Builder::from_rrule(rule);
            assert_eq!((built.mode.as_str(), built.raw.as_str()), ("custom", rule));
        }
        let second_tuesday = Builder::from_rrule("FREQ=MONTHLY;BYDAY=2TU");
        assert_eq!((second_tuesday.mode.as_str(), second_tuesday.nth), ("monthly_nth", 2));
        assert_eq!(second_tuesday.nth_weekday, "TU");
    }

    #[test]
    fn a_weekly_rule_needs_a_day() {
        assert_eq!(b("weekly").to_rrule().unwrap_err().field, "weekdays");
    }

    #[test]
    fn rules_read_back_into_the_builder() {
        for rule in [
            "FREQ=DAILY",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,SU",
            "FREQ=MONTHLY;BYDAY=-1FR",
            "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=6",
            "FREQ=DAILY;UNTIL=20261231",
        ] {
            let built = Builder::from_rrule(rule);
            assert_ne!(built.mode, "custom", "{rule}");
            assert_eq!(built.to_rrule().unwrap(), rule);
        }
        assert_eq!(Builder::from_rrule("FREQ=MINUTELY;COUNT=1").mode, "once");
        let odd = Builder::from_rrule("FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU");
        assert_eq!(odd.mode, "custom");
        assert_eq!(odd.to_rrule().unwrap(), "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU");
    }
}
