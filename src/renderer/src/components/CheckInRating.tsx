/**
 * A client's private check-in rating (issue 20) as the console shows it: beside the knock, in
 * the participant list and on the roster. Only clinicians are ever sent it; a low score is
 * drawn in the warning colour so it is seen without being read out to anyone.
 */
import type { CheckInRating } from '../../../shared/protocol';
import { t } from '../i18n';

/** "4/10 · “wobbly”": the score, and the word if they gave one. */
export function ratingText(rating: CheckInRating): string {
  return `${rating.score}/10${rating.word ? ` · “${rating.word}”` : ''}`;
}

/** At or below this a rating is shown as one to follow up. */
const LOW = 3;

export function RatingBadge({ participantId, rating }: { participantId: string; rating: CheckInRating }) {
  return (
    <span
      className={`rating-badge ${rating.score <= LOW ? 'low' : ''}`}
      data-testid={`rating-${participantId}`}
      title={t.rating.title}
    >
      {t.rating.today(ratingText(rating))}
    </span>
  );
}
