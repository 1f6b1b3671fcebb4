"""One loaded analyzer for the whole session: the model takes a second to load."""

from __future__ import annotations

import pytest

from otklik.understand.text import Employee, EmployeeDirectory, TextAnalyzer

STAFF = EmployeeDirectory(
    [
        Employee("e1", "Ольга Петрова", ("Оля",)),
        Employee("e2", "Иван Сергеевич Смирнов"),
        Employee("e3", "Анна Кузнецова"),
        Employee("e4", "Анна Волкова"),
        Employee("e5", "John Smith", ("Johnny",)),
    ]
)


@pytest.fixture(scope="session")
def staff() -> EmployeeDirectory:
    return STAFF


@pytest.fixture(scope="session")
def analyzer() -> TextAnalyzer:
    return TextAnalyzer(directory=STAFF)
