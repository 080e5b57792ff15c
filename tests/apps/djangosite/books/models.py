from django.db import models


class Book(models.Model):
    title = models.CharField(max_length=200)

    def as_json(self) -> dict[str, object]:
        return {"id": self.pk, "title": self.title}
