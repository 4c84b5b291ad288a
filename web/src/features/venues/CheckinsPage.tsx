// Page /checkins: check-in look-up, statistics and exports over the user's jurisdiction (operators: own venues).
export { default } from './CheckinsPanel';
