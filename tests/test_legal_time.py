"""Legal time: when a consent takes effect, checked against the rules in the instruments' final articles."""
import datetime as dt

from normgraph.loaders.legal_time import add_duration, binding_ends, in_force_window

D = dt.date


def test_ilo_ratification_binds_twelve_months_after_registration():
    window = in_force_window(registered=D(2019, 9, 16), year=None, as_of="2023", delay="P12M",
                             instrument_in_force=D(2016, 11, 9))
    assert window.earliest == window.latest == window.exact == D(2020, 9, 16)


def test_not_before_the_instrument_itself_is_in_force():
    # Niger registered P029 on 2015-06-14; the Protocol entered into force on 2016-11-09.
    window = in_force_window(registered=D(2015, 6, 14), year=None, as_of="", delay="P12M",
                             instrument_in_force=D(2016, 11, 9))
    assert window.exact == D(2016, 11, 9)


def test_palermo_consent_takes_effect_on_the_thirtieth_day_but_not_before_2003_12_25():
    assert in_force_window(registered=D(2020, 6, 16), year=None, as_of="", delay="P30D",
                           instrument_in_force=D(2003, 12, 25)).exact == D(2020, 7, 16)
    assert in_force_window(registered=D(2002, 8, 21), year=None, as_of="", delay="P30D",
                           instrument_in_force=D(2003, 12, 25)).exact == D(2003, 12, 25)


def test_a_year_only_registration_gives_a_window_not_a_guess():
    window = in_force_window(registered=None, year=2006, as_of="2013", delay="P12M", instrument_in_force=D(1978, 12, 9))
    assert (window.earliest, window.latest, window.exact) == (D(2007, 1, 1), D(2007, 12, 31), None)


def test_an_undated_party_is_bounded_by_its_source_date_or_not_at_all():
    dated = in_force_window(registered=None, year=None, as_of="2010", delay="P12M", instrument_in_force=D(1952, 1, 22))
    assert (dated.earliest, dated.latest) == (D(1952, 1, 22), D(2011, 12, 31))
    undated = in_force_window(registered=None, year=None, as_of="unknown", delay="P12M", instrument_in_force=D(1952, 1, 22))
    assert (undated.earliest, undated.latest) == (D(1952, 1, 22), None)


def test_month_ends_and_denunciations():
    assert add_duration(D(2020, 2, 29), "P12M") == D(2021, 2, 28)
    assert binding_ends(D(1979, 4, 19), "P12M") == D(1980, 4, 19)
    assert binding_ends(None, "P12M") is None


def test_a_record_is_pending_from_its_year_of_consent_to_its_latest_entry_into_force():
    # Niger's P029: registered 2015-06-14, bound from 2016-11-09, so pending in 2015 and 2016.
    assert list(in_force_window(registered=D(2015, 6, 14), year=None, as_of="", delay="P12M",
                                instrument_in_force=D(2016, 11, 9)).pending_years) == [2015, 2016]
    assert list(in_force_window(registered=None, year=2006, as_of="2013", delay="P12M",
                                instrument_in_force=D(1978, 12, 9)).pending_years) == [2006, 2007]
    undated = in_force_window(registered=None, year=None, as_of="2010", delay="P12M", instrument_in_force=D(1952, 1, 22))
    assert list(undated.pending_years) == []
