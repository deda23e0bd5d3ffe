"""Consent wording per language (unique per kind, language and version), and
the language of the form page on each request (issue 13: the patient side in
Spanish). Every row so far is English, the default."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('admissions', '0018_scheduling_and_capacity'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='consenttext',
            options={'ordering': ['kind', 'language', '-version']},
        ),
        migrations.RemoveConstraint(
            model_name='consenttext',
            name='consent_text_version',
        ),
        migrations.AddField(
            model_name='consenttext',
            name='language',
            field=models.CharField(choices=[('en', 'English'), ('es', 'Spanish')], default='en', max_length=8),
        ),
        migrations.AddField(
            model_name='consultationrequest',
            name='language',
            field=models.CharField(choices=[('en', 'English'), ('es', 'Spanish')], default='en', help_text='The language of the web form the person filled in.', max_length=8, verbose_name='form language'),
        ),
        migrations.AddField(
            model_name='insuranceverification',
            name='language',
            field=models.CharField(choices=[('en', 'English'), ('es', 'Spanish')], default='en', help_text='The language of the web form the person filled in.', max_length=8, verbose_name='form language'),
        ),
        migrations.AddConstraint(
            model_name='consenttext',
            constraint=models.UniqueConstraint(fields=('kind', 'language', 'version'), name='consent_text_language_version'),
        ),
    ]
