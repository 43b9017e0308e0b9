import dataclasses
import datetime as dt

import pytest

from sightline.returns import ssda903
from sightline.returns.errors import ReturnError
from sightline.returns.tests import synthetic


def files() -> dict[str, bytes]:
    return ssda903.write_files(synthetic.return903())


def edit(name: str, old: str, new: str) -> dict[str, bytes]:
    written = files()
    text = written[name].decode()
    assert old in text
    written[name] = text.replace(old, new, 1).encode()
    return written


def test_it_reads_what_it_writes(tmp_path):
    result = synthetic.return903()
    ssda903.write_directory(result, tmp_path)
    assert ssda903.read_directory(tmp_path) == result
    assert ssda903.write_files(ssda903.read_directory(tmp_path)) == ssda903.write_files(result)


def test_dates_are_day_month_year():
    text = files()["episodes.csv"].decode()
    assert "20/04/2025" in text
    assert text.splitlines()[0] == ",".join(ssda903.COLUMNS["Episodes"])


def test_tables_are_recognised_by_their_columns_not_their_names():
    renamed = {f"table{index}.csv": content for index, content in enumerate(files().values())}
    assert ssda903.read_files(renamed) == synthetic.return903()


def test_columns_in_another_order_are_recognised():
    written = files()
    lines = written["reviews.csv"].decode().splitlines()
    swapped = [",".join(reversed(line.split(","))) for line in lines]
    written["reviews.csv"] = "\n".join(swapped).encode()
    assert ssda903.read_files(written).reviews == synthetic.return903().reviews


def test_the_outcome_tables_are_carried_through():
    result = dataclasses.replace(
        synthetic.return903(),
        other={"OC3": (("SYN0003", "03/09/2010", "YES", "F2", "B"),)},
    )
    written = ssda903.write_files(result)
    assert "oc3.csv" in written
    assert ssda903.read_files(written) == result


def test_a_utf8_bom_is_accepted():
    written = files()
    written["header.csv"] = b"\xef\xbb\xbf" + written["header.csv"]
    assert ssda903.read_files(written) == synthetic.return903()


# --- bad input: rejected whole, the message names file, line and column -----------------


def test_a_table_with_a_missing_column_is_rejected_naming_it():
    written = files()
    lines = written["episodes.csv"].decode().splitlines()
    index = lines[0].split(",").index("URN")
    written["episodes.csv"] = "\n".join(
        ",".join(cell for i, cell in enumerate(line.split(",")) if i != index) for line in lines
    ).encode()
    with pytest.raises(ReturnError, match="nearest is Episodes, with missing column URN") as caught:
        ssda903.read_files(written)
    assert (caught.value.place, caught.value.line, caught.value.field) == ("episodes.csv", 1, "URN")


def test_a_table_with_an_extra_column_is_rejected_naming_it():
    written = edit("reviews.csv", "REVIEW_CODE", "REVIEW_CODE,NOTES")
    with pytest.raises(ReturnError, match="unexpected column NOTES"):
        ssda903.read_files(written)


def test_an_unknown_code_is_rejected_naming_file_line_and_column():
    written = edit("episodes.csv", ",C2,", ",C9,")
    with pytest.raises(ReturnError, match="unknown code 'C9'") as caught:
        ssda903.read_files(written)
    assert (caught.value.place, caught.value.line, caught.value.field) == ("episodes.csv", 3, "LS")


def test_a_withdrawn_placement_code_is_rejected():
    written = edit("episodes.csv", ",U4,", ",P2,")
    with pytest.raises(ReturnError, match="unknown code 'P2'"):
        ssda903.read_files(written)


def test_an_impossible_date_is_rejected():
    written = edit("reviews.csv", "16/05/2025", "31/06/2025")
    with pytest.raises(ReturnError, match="'31/06/2025' is not a date that exists") as caught:
        ssda903.read_files(written)
    assert (caught.value.line, caught.value.field) == (2, "REVIEW")


def test_an_iso_date_is_rejected():
    written = edit("reviews.csv", "16/05/2025", "2025-05-16")
    with pytest.raises(ReturnError, match=r"not a date \(dd/mm/yyyy\)"):
        ssda903.read_files(written)


def test_an_end_before_its_start_is_rejected():
    written = edit(
        "episodes.csv",
        "20/04/2025,S,V2,N1,U4,PR1,01/07/2025",
        "20/04/2025,S,V2,N1,U4,PR1,01/03/2025",
    )
    with pytest.raises(ReturnError, match="01/03/2025 is before DECOM 20/04/2025") as caught:
        ssda903.read_files(written)
    assert (caught.value.line, caught.value.field) == (2, "DEC")


def test_overlapping_episodes_are_rejected():
    written = edit("episodes.csv", "01/07/2025,L,C2", "01/06/2025,L,C2")
    with pytest.raises(ReturnError, match="episodes overlap") as caught:
        ssda903.read_files(written)
    assert (caught.value.place, caught.value.line, caught.value.field) == (
        "episodes.csv",
        3,
        "DECOM",
    )


def test_an_episode_after_an_open_one_is_rejected():
    result = synthetic.return903()
    first, second = result.episodes
    still_open = dataclasses.replace(first, dec=None, rec=None)
    written = ssda903.write_files(dataclasses.replace(result, episodes=(still_open, second)))
    with pytest.raises(ReturnError, match="is still open"):
        ssda903.read_files(written)


def test_a_row_of_a_child_not_in_the_header_is_rejected():
    written = edit("reviews.csv", "SYN0003,03/09/2010,10/10/2025", "SYN0999,03/09/2010,10/10/2025")
    with pytest.raises(ReturnError, match="'SYN0999' is not in the Header") as caught:
        ssda903.read_files(written)
    assert (caught.value.place, caught.value.line) == ("reviews.csv", 3)


def test_a_ragged_line_is_rejected():
    written = edit("reviews.csv", ",PN1\r\n", ",PN1,extra\r\n")
    with pytest.raises(ReturnError, match="5 cells where the header has 4") as caught:
        ssda903.read_files(written)
    assert caught.value.line == 2


def test_a_second_table_of_the_same_kind_is_rejected():
    written = files()
    written["copy.csv"] = written["header.csv"]
    with pytest.raises(ReturnError, match="a second Header table"):
        ssda903.read_files(written)


def test_an_empty_directory_is_rejected(tmp_path):
    with pytest.raises(ReturnError, match="no CSV files"):
        ssda903.read_directory(tmp_path)


def test_parse_date():
    assert ssda903.parse_date("29/02/2024") == dt.date(2024, 2, 29)
    with pytest.raises(ValueError, match="exists"):
        ssda903.parse_date("29/02/2025")
