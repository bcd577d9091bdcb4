/**
 * The words the page says to a client, in Spanish (Latin American neutral, addressed as "tú",
 * calm and plain, as the English). Typed as English's `Catalogue`: a missing or extra word
 * fails the typecheck.
 */
import type { MediaKind } from '../../shared/protocol';
import type { Catalogue, MediaAccessReason } from './en';

const SUPPORT_LINE =
  'Si necesitas apoyo en este momento, comunícate con tu clínica o con los servicios de emergencia de tu localidad.';

/** "tu micrófono" / "tu cámara", with the article the noun needs. */
const device = (kind: MediaKind): string => (kind === 'audio' ? 'micrófono' : 'cámara');
const yourDevice = (kind: MediaKind): string => (kind === 'audio' ? 'tu micrófono' : 'tu cámara');
/** "encendido/encendida", agreeing with the device. */
const onWord = (kind: MediaKind, on: boolean): string =>
  kind === 'audio' ? (on ? 'encendido' : 'apagado') : on ? 'encendida' : 'apagada';

export const es: Catalogue = {
  page: {
    documentTitle: 'Entra a tu sesión de grupo · Confidant',
    skipToContent: 'Ir al contenido',
    privacyBadge: 'Sesión privada · nunca se graba',
    reconnecting: 'Se cortó tu conexión. Reconectando… conservas tu lugar.',
    footer:
      'Solo pueden entrar las personas que tu terapeuta admite, y nada de esta sesión se graba. Tus datos de seguridad solo los ve tu terapeuta.',
    languageSwitch: 'Idioma',
  },

  errors: {
    passcodeMismatch:
      'Ese código no coincide con esta invitación. Revisa el mensaje de tu terapeuta e inténtalo de nuevo.',
    unreachable: 'No pudimos conectar con la sesión en este momento. Revisa tu conexión a internet e inténtalo de nuevo.',
    unexpected: 'Algo salió mal de nuestro lado. Inténtalo de nuevo en un momento.',
    passcodeEmpty: 'Escribe el código que aparece en el mensaje de tu terapeuta.',
    notOpenYet: (time: string | null): string =>
      time
        ? `La sala de espera de esta sesión todavía no está abierta. Se abre el ${time}; vuelve a esa hora, por favor.`
        : 'La sala de espera de esta sesión todavía no está abierta. Vuelve un poco antes de que empiece tu sesión, por favor.',
    stillLocked: (time: string): string =>
      `Seguía cerrada cuando lo revisamos a las ${time}. Puedes intentarlo de nuevo en un momento.`,
  },

  passcode: {
    step: 'Paso 1 de 3 · Tu invitación',
    title: 'Te damos la bienvenida a tu sesión de grupo',
    lead: 'Este es un espacio privado. Antes de entrar, necesitamos comprobar que esta invitación es tuya.',
    label: 'Escribe el código que te envió tu terapeuta',
    hint: 'Lo encontrarás en el mismo mensaje que este enlace.',
    checking: 'Comprobando…',
    submit: 'Continuar',
    accepted: 'Código aceptado. Ahora, regístrate para la sesión.',
  },

  checkIn: {
    step: 'Paso 2 de 3 · Registro',
    title: 'Prepárate para unirte al grupo',
    lead: 'Esto toma un minuto. Tu terapeuta te dejará entrar cuando la sesión esté lista.',
    nameLegend: 'Cómo te verá el grupo',
    nameLabel: 'Nombre de pila o seudónimo',
    nameHint: 'Usa tu nombre de pila o un seudónimo; no hace falta que compartas tu nombre completo.',
    nameMissing: 'Escribe un nombre de pila o un seudónimo.',
    nameInvalid: 'Revisa tu nombre: de 1 a 40 caracteres; puedes usar letras, números y espacios.',
    agreementLegend: 'Acuerdo del grupo',
    agreementHint: 'Todas las personas del grupo aceptan este acuerdo antes de entrar. Léelo completo, por favor.',
    agreementLabel: 'Acuerdo de confidencialidad del grupo',
    agreeLabel: 'Acepto mantener en confidencialidad lo que se comparte en este grupo',
    agreeMissing: 'Marca la casilla para aceptar antes de continuar.',
    agreeMissingForm: 'Lee el acuerdo del grupo y marca la casilla para aceptarlo antes de continuar.',
    agreementChanged:
      'El acuerdo del grupo se acaba de actualizar. Vuelve a cargar esta página para leer la nueva versión.',
    optional: '(opcional)',
    privacyLegend: 'Antes de entrar',
    privacyHint:
      'Una revisión rápida para que el grupo siga siendo privado donde estás. Marca lo que sea cierto para ti; tu terapeuta ve lo que marcaste, nadie más.',
    privateSpace: 'Estoy en un lugar privado donde puedo hablar con libertad',
    headphones: 'Tengo audífonos puestos, así nadie cerca puede escuchar al grupo',
    notificationsOff: 'Las notificaciones de este dispositivo están desactivadas',
    nobodyInView: 'No hay nadie más a la vista de mi cámara o de mi pantalla',
    ratingLegend: '¿Cómo estás hoy?',
    ratingHint: 'Del 0 (muy mal) al 10 (muy bien). Solo tu terapeuta lo ve, nunca el grupo.',
    ratingLabel: 'Cómo estás hoy, del 0 (muy mal) al 10 (muy bien)',
    ratingLow: 'muy mal',
    ratingHigh: 'muy bien',
    ratingWord: 'Una palabra para describirlo, si quieres',
    ratingClear: 'Borrar mi respuesta',
    safetyLegend: 'Para tu seguridad',
    safetyHint:
      'Solo tu terapeuta puede verlo, y solo lo usa si hay una emergencia durante la sesión. Nunca se muestra al grupo.',
    locationLabel: '¿Dónde estás en este momento?',
    locationPlaceholder: 'Por ejemplo, una ciudad o una dirección',
    contactLabel: 'Contacto de emergencia',
    contactPlaceholder: 'Un nombre y un número de teléfono',
    mediaTitle: 'Cámara y micrófono',
    mediaHint: 'Puedes cambiar esto en cualquier momento durante la sesión.',
    checkingIn: 'Registrando…',
    submit: 'Registrarme y esperar a que me admitan',
    checkedIn: 'Ya te registraste. Esperando a que tu terapeuta te deje entrar.',
  },

  media: {
    camera: 'Cámara',
    microphone: 'Micrófono',
    switchState: (kind: MediaKind, on: boolean): string => {
      const word = onWord(kind, on);
      return word.charAt(0).toUpperCase() + word.slice(1);
    },
    textOnlyChosen:
      'Participarás por texto: sin cámara ni micrófono. Puedes leer y escribir en el chat del grupo, y ver y escuchar al grupo.',
    useMediaInstead: 'Mejor usar mi micrófono o mi cámara',
    chooseTextOnly: 'Participar solo por texto',
    previewStarting: 'Encendiendo tu cámara…',
    previewOff: 'Tu cámara está apagada',
    previewCaption: 'Solo tú puedes ver esta vista previa',
    waitingCaption: 'Así es como te verán. Solo tú puedes verlo hasta que te dejen entrar.',
    backgroundLegend: 'Tu fondo',
    backgroundOption: (mode: 'none' | 'blur' | 'backdrop'): string =>
      mode === 'none' ? 'Mostrar mi habitación' : mode === 'blur' ? 'Desenfocar mi habitación' : 'Fondo liso',
    backgroundHint:
      'El desenfoque y el fondo liso se hacen en este dispositivo: tu habitación nunca sale de él. Este dispositivo recuerda tu elección.',
    backgroundFailed:
      'El desenfoque del fondo no pudo iniciarse en este dispositivo, así que el grupo ve un fondo liso en lugar de tu cámara. Puedes apagar la cámara y participar con la voz.',
    accessError: (reason: MediaAccessReason, kind: MediaKind): string => {
      const what = yourDevice(kind);
      const without = `sin ${device(kind)}`;
      switch (reason) {
        case 'denied':
          return `Tu navegador no permitió el acceso a ${what}. Permítelo en la barra de direcciones del navegador (el ícono de la cámara) y vuelve a intentarlo, o continúa ${without}.`;
        case 'not-found':
          return `No encontramos ${kind === 'audio' ? 'un micrófono' : 'una cámara'} en este dispositivo. Puedes continuar ${without}.`;
        case 'in-use':
          return `Parece que otra aplicación está usando ${what}. Cierra esa aplicación y vuelve a intentarlo, o continúa ${without}.`;
        case 'unsupported':
          return 'Este navegador no puede usar una cámara ni un micrófono aquí. Prueba con una versión actual de Chrome, Edge, Firefox o Safari.';
        case 'other':
          return `No se pudo encender ${what}. Puedes continuar ${without}.`;
      }
    },
    toggled: (kind: MediaKind, on: boolean): string =>
      kind === 'video' && !on
        ? 'Tu cámara está apagada. Participas solo con audio.'
        : `Tu ${device(kind)} está ${onWord(kind, on)}.`,
    toggleFailed: (kind: MediaKind, on: boolean): string =>
      `No se pudo ${on ? 'encender' : 'apagar'} ${yourDevice(kind)} en este momento. Inténtalo de nuevo.`,
    staysOff: (kind: MediaKind): string =>
      `Tu ${device(kind)} sigue ${onWord(kind, false)}. Puedes ${kind === 'audio' ? 'encenderlo' : 'encenderla'} cuando quieras.`,
    notConnected: 'No se pudo conectar tu cámara o tu micrófono con el grupo.',
    reconnecting: 'Reconectando el audio y el video…',
    videoHeldBack:
      'Tu conexión está muy débil para el video en este momento, así que solo se envía tu voz. Tu cámara volverá sola cuando mejore la conexión.',
    videoBack: 'Tu conexión mejoró, así que tu cámara volvió a encenderse.',
    incomingVideoHeld:
      'Tu conexión está muy débil para mostrar el video del grupo en este momento, así que está en pausa. Puedes seguir escuchando a todos, y el video volverá solo cuando mejore la conexión.',
    incomingVideoBack: 'Tu conexión mejoró, así que el video del grupo volvió.',
  },

  waiting: {
    step: 'Paso 3 de 3 · Sala de espera',
    returnedNote: 'Tu terapeuta te regresó a la sala de espera',
    returnedAnnounce:
      'Tu terapeuta te regresó a la sala de espera. Volverás a unirte al grupo automáticamente cuando te deje entrar de nuevo.',
    returnedDetail:
      'Esto puede pasar por muchas razones y no significa que hayas hecho algo mal. El grupo ya no te ve ni te escucha.',
    titleLetIn: 'Tu terapeuta te dejó entrar',
    titleReturned: 'Esperando a que tu terapeuta te deje volver a entrar',
    title: 'Esperando a que tu terapeuta te deje entrar',
    leadLetIn: 'Conectándote con el grupo…',
    leadReturned:
      'Tu lugar se mantiene. Cuando tu terapeuta te deje volver a entrar, te unirás al grupo automáticamente; no hace falta recargar la página.',
    lead: (name: string): string =>
      `${name ? `Gracias, ${name}. ` : ''}Ya te registraste. Tu terapeuta puede ver que estás aquí y te dejará entrar en breve. Entrarás automáticamente, así que no hace falta recargar la página.`,
    statusLetIn: 'Uniéndote al grupo…',
    status: 'Registro listo · tu terapeuta sabe que estás aquí',
    locked: 'Tu terapeuta cerró la sesión a nuevas llegadas. Como ya te registraste, tu lugar se mantiene.',
    messagesTitle: 'Mensajes privados con tu terapeuta',
    messagesHint: (returned: boolean): string =>
      `Podrás responder cuando ${returned ? 'vuelvas a estar' : 'estés'} en la sesión. Los mensajes no se guardan.`,
    tipPrivate: 'Si puedes, busca un lugar privado donde nadie te escuche.',
    tipHeadphones: 'Los audífonos ayudan a mantener en privado lo que comparten los demás.',
    tipBreathe: 'Respira despacio. No hay prisa: puedes compartir tanto o tan poco como quieras.',
    leave: 'Salir de la sala de espera',
    letIn: (returning: boolean): string =>
      `Tu terapeuta te dejó ${returning ? 'volver a entrar' : 'entrar'}. Uniéndote al grupo…`,
    backInWaiting: 'Estás de vuelta en la sala de espera.',
    backInWaitingFromGroup: 'Estás de vuelta, en la sala de espera. Tu terapeuta te dejará entrar de nuevo.',
  },

  call: {
    defaultTitle: 'Sesión de grupo',
    connecting: 'Conectándote con el grupo…',
    peopleHere: (count: number): string => `${count} ${count === 1 ? 'persona' : 'personas'} aquí`,
    audioOnly: 'Solo audio',
    takingPartByText: 'Participa por texto',
    selfByText: 'Participas por texto',
    cameraOff: 'Tu cámara está apagada',
    you: 'Tú',
    selfName: (name: string): string => `${name} (tú)`,
    micOn: 'Micrófono encendido',
    micOff: 'Micrófono apagado',
    people: 'Personas en la sesión',
    locked: 'Sala cerrada',
    lockedDetail: 'Tu terapeuta cerró la sesión a nuevas llegadas. Para ti no cambia nada.',
    lockedNow: 'Tu terapeuta cerró la sesión a nuevas llegadas. Para ti no cambia nada.',
    unlockedNow: 'Tu terapeuta volvió a abrir la sesión a nuevas llegadas.',
    encrypted: 'Cifrado de extremo a extremo',
    encryptedDetail: 'solo las personas de este grupo pueden verlo y escucharlo, no el servidor que las conecta',
    encryptedNow: 'La llamada está cifrada de extremo a extremo.',
    settingUpEncryption: 'Preparando el cifrado…',
    partlyEncrypted: 'No está cifrada del todo de extremo a extremo',
    partlyEncryptedDetail:
      'alguien de este grupo participa por audio sin cifrado, así que el servidor que las conecta podría oír a esa persona y lo que se le dice; el video sigue cifrado',
    clearAudioSelf:
      'Tu terapeuta te permitió participar por audio sin cifrado, porque este navegador no puede cifrar la llamada. El servidor que los conecta podría oírte y oír lo que escuchas. No verás el video del grupo.',
    safetyCode: 'Código de seguridad',
    safetyCodeBefore: 'Tu terapeuta te leerá un código de seguridad. Si es',
    safetyCodeAfter: ', la conexión entre ustedes es privada.',
    safetyCodeMatches: 'Coincide',
    encryptionRefused:
      'La clave que se ofreció para esta llamada no coincide con tu enlace de invitación, así que, para proteger tu privacidad, no se envía ni se muestra nada. Avísale a tu terapeuta, por favor.',
    encryptionUnsupported:
      'Este navegador no puede cifrar la llamada de extremo a extremo, así que no puede mostrar ni enviar el video y el sonido del grupo. Entra desde una versión actual de Chrome, Edge, Firefox o Safari, por favor.',
    connection: {
      good: { label: 'Conexión buena', detail: 'tu conexión con el grupo funciona bien' },
      weak: {
        label: 'Conexión débil',
        detail:
          'el video puede congelarse o verse borroso; acercarte a tu router wifi, o apagar tu cámara, puede ayudar',
      },
      poor: {
        label: 'Conexión mala',
        detail: 'es posible que los demás no te vean ni te escuchen bien; apagar tu cámara deja más espacio para tu voz',
      },
    },
    joined: (others: number, encrypted: boolean): string =>
      `Te uniste al grupo.${encrypted ? ' La llamada está cifrada de extremo a extremo.' : ''} ${others === 1 ? 'Hay 1 persona más' : `Hay ${others} personas más`} aquí.`,
    controls: 'Controles de la llamada',
    micMutedByTherapist: 'Micrófono silenciado por tu terapeuta',
    muteMic: 'Silenciar tu micrófono',
    unmuteMic: 'Activar tu micrófono',
    cameraOffByTherapist: 'Cámara apagada, la apagó tu terapeuta',
    stopCamera: 'Apagar cámara',
    startCamera: 'Encender cámara',
    muted: 'Silenciado',
    mute: 'Silenciar',
    unmute: 'Activar',
    cameraOffShort: 'Cámara apagada',
    messageUnread: (count: string): string => `Mensaje, ${count} sin leer de tu terapeuta`,
    messagePrivately: 'Mensaje privado a tu terapeuta',
    groupChat: 'Chat del grupo',
    groupChatUnread: (count: string): string => `Chat del grupo, ${count} sin leer`,
    message: 'Mensaje',
    leaveSession: 'Salir de la sesión',
    leave: 'Salir',
  },

  roles: {
    facilitator: 'Terapeuta',
    observer: 'Observa',
  },

  moderation: {
    mutedMic: 'Tu terapeuta silenció tu micrófono. Te invitará a activarlo cuando sea el momento.',
    mutedCamera: 'Tu terapeuta apagó tu cámara. Te invitará a encenderla de nuevo cuando sea el momento.',
    stillMuted: (kind: MediaKind): string =>
      `Tu terapeuta ${kind === 'audio' ? 'silenció tu micrófono' : 'apagó tu cámara'}, así que todavía no puedes ${kind === 'audio' ? 'activarlo' : 'encenderla'}. Te avisará cuando puedas.`,
    refused: (kind: MediaKind): string =>
      `Tu terapeuta todavía no permite ${kind === 'audio' ? 'activar tu micrófono' : 'encender tu cámara'}, así que por ahora sigue ${onWord(kind, false)}. Te avisará cuando puedas.`,
    dismissNote: 'Cerrar este aviso',
    unmuteMicTitle: 'Tu terapeuta te pide que actives tu micrófono',
    unmuteMicAccept: 'Activar',
    unmuteCameraTitle: 'Tu terapeuta te pide que vuelvas a encender tu cámara',
    unmuteCameraAccept: 'Encender cámara',
    unmuteBody: 'Tú decides: nada se enciende a menos que lo hagas tú.',
    unmuteAnnounce: (title: string): string => `${title}. Tú decides.`,
    notNow: 'Ahora no',
  },

  chat: {
    privateTitle: 'Mensaje privado a tu terapeuta',
    privateClose: 'Cerrar mensajes',
    privatePrivacy: 'Solo tu terapeuta ve estos mensajes. Los mensajes no se guardan.',
    privateEmpty: 'Si hay algo que prefieres no decirle a todo el grupo, puedes escribirlo aquí.',
    privateLog: 'Conversación con tu terapeuta',
    groupTitle: 'Chat del grupo',
    groupClose: 'Cerrar el chat del grupo',
    groupPrivacy:
      'Todas las personas del grupo ven estos mensajes, también tu terapeuta. No se guardan, y quienes entren más tarde no los ven.',
    groupEmpty: 'Si no puedes o prefieres no hablar, puedes participar aquí.',
    groupLog: 'Mensajes del chat del grupo',
    groupOff: 'Tu terapeuta desactivó el chat del grupo por ahora.',
    yourMessage: 'Tu mensaje',
    sendHint: 'Intro para enviar · Mayús+Intro para una línea nueva',
    charactersLeft: (left: number): string => `${left === 1 ? 'Queda 1 carácter' : `Quedan ${left} caracteres`}`,
    sending: 'Enviando…',
    send: 'Enviar',
    you: 'Tú',
    yourTherapist: 'Tu terapeuta',
    therapistBadge: 'Terapeuta',
    someone: 'Alguien del grupo',
    previewFrom: 'Mensaje privado de tu terapeuta',
    reply: 'Responder',
    dismissPreview: 'Cerrar la vista previa del mensaje',
    newPrivate: 'Nuevo mensaje privado de tu terapeuta.',
    newGroup: (from: string | null): string => `Nuevo mensaje en el chat del grupo de ${from ?? 'tu terapeuta'}.`,
    groupOnNow: 'Tu terapeuta activó el chat del grupo.',
    groupOffNow: 'Tu terapeuta desactivó el chat del grupo.',
    groupCleared: 'Tu terapeuta borró el chat del grupo.',
    writeFirst: 'Primero escribe un mensaje.',
    tooLong: (max: number): string => `Los mensajes pueden tener hasta ${max} caracteres. Acórtalo un poco, por favor.`,
    notInSession: 'Podrás enviar mensajes cuando estés en la sesión.',
    groupNotInSession: 'Podrás escribirle al grupo cuando estés en la sesión.',
    notKeyed: 'Tu mensaje se podrá enviar cuando el cifrado de la llamada esté listo. Inténtalo de nuevo en un momento.',
    tooMany: 'Fueron muchos mensajes seguidos. Espera un momento y vuelve a enviarlo.',
    notSent: 'No se pudo enviar tu mensaje. Inténtalo de nuevo.',
  },

  ended: {
    recapTitle: 'Una nota de tu terapeuta',
    recapMeta: (title: string, date: string): string => `${title} · escrita el ${date}`,
    recapPrivate: 'Solo las personas de tu grupo pueden leer esto, cada una en su propia página de invitación.',
    checking: 'Comprobando…',
    stillLockedAnnounce: 'La sesión sigue cerrada. Puedes intentarlo de nuevo en un momento.',
    reasons: {
      denied: {
        title: 'Tu terapeuta no te admitió en esta sesión',
        body: 'Esto puede pasar por muchas razones, y no significa que hayas hecho algo mal. Si no sabes por qué, comunícate directamente con tu terapeuta o con la clínica. Tu cámara y tu micrófono ya están apagados.',
        tone: 'neutral',
      },
      left: {
        title: 'Saliste de la sesión',
        body: 'Gracias por ser parte del grupo hoy. Tu cámara y tu micrófono ya están apagados. Puedes cerrar esta ventana.',
        retry: 'Volver a la sesión',
        tone: 'calm',
      },
      removed: {
        title: 'Tu terapeuta te retiró de esta sesión',
        body: 'Tu cámara y tu micrófono ya están apagados, y este enlace de invitación ya no funciona. Si quieres hablar de lo que pasó, o de tu próxima sesión, comunícate con tu clínica.',
        support: SUPPORT_LINE,
        tone: 'neutral',
      },
      revoked: {
        title: 'Esta invitación ya no está activa',
        body: 'No se puede usar para entrar a esta sesión. Si crees que es un error, comunícate con tu terapeuta o con la clínica.',
        support: SUPPORT_LINE,
        tone: 'neutral',
      },
      sessionEnded: {
        title: 'Esta sesión terminó. Gracias por estar aquí.',
        body: 'Tu cámara y tu micrófono ya están apagados, y puedes cerrar esta ventana. Trátate con cariño el resto del día: un vaso de agua, un poco de aire fresco o unas respiraciones lentas pueden ayudar después del grupo.',
        support: SUPPORT_LINE,
        tone: 'calm',
      },
      roomLocked: {
        title: 'Esta sesión está cerrada',
        body: 'Tu terapeuta no está dejando entrar a más personas en este momento. No tiene que ver contigo; es posible que la vuelva a abrir en un momento. Si esperabas entrar, puedes intentarlo de nuevo o comunicarte con tu clínica.',
        retry: 'Intentar de nuevo',
        tone: 'neutral',
      },
      conflict: {
        title: 'Esta invitación ya está en uso en otro dispositivo',
        body: 'Cada invitación puede estar abierta en un solo lugar a la vez. Cierra la sesión en tu otro dispositivo o pestaña del navegador y vuelve a intentarlo aquí.',
        retry: 'Intentar de nuevo',
        tone: 'neutral',
      },
      rateLimited: {
        title: 'Demasiados intentos por ahora',
        body: 'Para proteger tu privacidad, pausamos el acceso después de varios intentos. Espera unos minutos, revisa el código en el mensaje de tu terapeuta y vuelve a intentarlo.',
        retry: 'Intentar de nuevo',
        tone: 'warning',
      },
      linkNeeded: {
        title: 'Vuelve a abrir tu enlace de invitación, por favor',
        body: 'Para proteger tu privacidad, esta página no guarda tu invitación en la barra de direcciones, así que no se puede abrir desde una pestaña nueva ni desde un marcador. Abre el enlace de invitación desde el mensaje que te envió tu terapeuta.',
        tone: 'neutral',
      },
      invalidLink: {
        title: 'Este enlace parece incompleto',
        body: 'Abre el enlace de invitación completo desde el mensaje que te envió tu terapeuta. Si sigue sin funcionar, comunícate con tu terapeuta o con la clínica.',
        tone: 'warning',
      },
      connectionLost: {
        title: 'Se interrumpió la conexión',
        body: 'Tu cámara y tu micrófono ya están apagados. Cuando vuelvas a tener conexión, puedes entrar de nuevo con el mismo código.',
        retry: 'Entrar de nuevo',
        tone: 'warning',
      },
    },
  },
};

