// The "My rooms" strings of the English catalogue (web/src/swarm/MyRooms.tsx).
export const rooms = {
  'rooms.title': 'My rooms',
  'rooms.empty': 'No rooms yet. When a colleague asks for your help on a conversation, it shows here.',
  'rooms.invited': 'invited',
  'rooms.joined': 'joined',
  'rooms.closed': 'closed',
  'rooms.pick': 'Pick a room to see its conversation.',
  'rooms.readOnly': 'You see this conversation through the room: read-only. Write to your colleagues in the room; the customer never sees it.',
  'nav.rooms': 'My rooms',
};
