/**
 * The participant page's check-in, between the passcode and the waiting room: the form's own
 * checks, the request, and what each refusal says. What follows (media made ready while
 * waiting) is group.ts's.
 */
import { ProtocolError, type CheckInRating, type PrivacyCheck } from '../shared/protocol';
import { words } from './i18n';
import type { GroupCall } from './group';
import { HELLO_ENDINGS, type ParticipantSession } from './session';
import { agreementShown, announce, pageState, setPageState } from './store';

export interface CheckInForm {
  displayName: string;
  agreed: boolean;
  location: string;
  emergencyContact: string;
  /** What the person ticked of the privacy check: told to the therapist, never required. */
  privacy: PrivacyCheck;
  /** How they are today, if they said: for the therapist only. */
  rating?: CheckInRating;
}

export async function checkIn(form: CheckInForm, session: ParticipantSession, group: GroupCall): Promise<void> {
  const signaling = session.signaling;
  // The text shown now: in the page's language, if the client switched at check-in.
  const agreement = agreementShown(pageState());
  if (!signaling || !agreement) return session.end('connectionLost');
  const displayName = form.displayName.trim();
  if (!displayName) {
    setPageState({ formError: words().checkIn.nameMissing });
    return;
  }
  if (!form.agreed) {
    setPageState({ formError: words().checkIn.agreeMissingForm });
    return;
  }
  setPageState({ busy: true, formError: null });
  const location = form.location.trim();
  const emergencyContact = form.emergencyContact.trim();
  try {
    const { routerRtpCapabilities } = await signaling.request('checkIn', {
      displayName,
      agreementVersion: agreement.version,
      // Which language's text was accepted (an older server's agreement names none: English).
      ...(agreement.language ? { agreementLanguage: agreement.language } : {}),
      ...(pageState().textOnly
        ? { media: { audio: false, video: false }, textOnly: true }
        : { media: { audio: !!pageState().localAudio, video: !!pageState().localVideo } }),
      ...(location ? { location } : {}),
      ...(emergencyContact ? { emergencyContact } : {}),
      privacy: form.privacy,
      ...(form.rating ? { rating: form.rating } : {}),
    });
    setPageState({ busy: false, screen: 'waiting', displayName, waitingNote: null });
    announce(words().checkIn.checkedIn);
    group.checkedIn(signaling, routerRtpCapabilities);
  } catch (err) {
    setPageState({ busy: false });
    if (!(err instanceof ProtocolError)) return; // the close handler shows what happened
    if (err.code === 'CONFLICT') {
      setPageState({ formError: words().checkIn.agreementChanged });
    } else if (err.code === 'BAD_REQUEST') {
      setPageState({ formError: words().checkIn.nameInvalid });
    } else {
      const ending = HELLO_ENDINGS[err.code];
      if (ending) session.end(ending);
      else setPageState({ formError: words().errors.unexpected });
    }
  }
}
