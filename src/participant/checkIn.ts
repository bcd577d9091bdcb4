/**
 * The participant page's check-in, between the passcode and the waiting room: the form's own
 * checks, the request, and what each refusal says. What follows (media made ready while
 * waiting) is group.ts's.
 */
import { ProtocolError, type CheckInRating, type PrivacyCheck } from '../shared/protocol';
import { UNEXPECTED } from './copy';
import type { GroupCall } from './group';
import { HELLO_ENDINGS, type ParticipantSession } from './session';
import { announce, pageState, setPageState } from './store';

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
  const agreement = pageState().agreement;
  if (!signaling || !agreement) return session.end('connectionLost');
  const displayName = form.displayName.trim();
  if (!displayName) {
    setPageState({ formError: 'Please enter a first name or pseudonym.' });
    return;
  }
  if (!form.agreed) {
    setPageState({ formError: 'Please read the group agreement and tick the box to agree before you continue.' });
    return;
  }
  setPageState({ busy: true, formError: null });
  const location = form.location.trim();
  const emergencyContact = form.emergencyContact.trim();
  try {
    const { routerRtpCapabilities } = await signaling.request('checkIn', {
      displayName,
      agreementVersion: agreement.version,
      ...(pageState().textOnly
        ? { media: { audio: false, video: false }, textOnly: true }
        : { media: { audio: !!pageState().localAudio, video: !!pageState().localVideo } }),
      ...(location ? { location } : {}),
      ...(emergencyContact ? { emergencyContact } : {}),
      privacy: form.privacy,
      ...(form.rating ? { rating: form.rating } : {}),
    });
    setPageState({ busy: false, screen: 'waiting', displayName, waitingNote: null });
    announce('You are checked in. Waiting for your therapist to let you in.');
    group.checkedIn(signaling, routerRtpCapabilities);
  } catch (err) {
    setPageState({ busy: false });
    if (!(err instanceof ProtocolError)) return; // the close handler shows what happened
    if (err.code === 'CONFLICT') {
      setPageState({
        formError: 'The group agreement was just updated. Please reload this page to read the new version.',
      });
    } else if (err.code === 'BAD_REQUEST') {
      setPageState({ formError: 'Please check your name: 1 to 40 characters, letters, numbers and spaces are fine.' });
    } else {
      const ending = HELLO_ENDINGS[err.code];
      if (ending) session.end(ending);
      else setPageState({ formError: UNEXPECTED });
    }
  }
}
