"""The 1–5 rating scale shared by checklist items, reviews and risks."""

from django.core.validators import MaxValueValidator, MinValueValidator

RATING_CHOICES = [
    (1, "1 – poor"),
    (2, "2 – weak"),
    (3, "3 – adequate"),
    (4, "4 – good"),
    (5, "5 – excellent"),
]


SCALE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]
